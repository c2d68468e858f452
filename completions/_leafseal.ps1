
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'leafseal' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'leafseal'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'leafseal' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('encrypt', 'encrypt', [CompletionResultType]::ParameterValue, 'Encrypt a file and print the result (or write it with -i / --output)')
            [CompletionResult]::new('decrypt', 'decrypt', [CompletionResultType]::ParameterValue, 'Decrypt a file and print the result (or write it with -i / --output); several files with -i or --output-dir')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt what you save')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set one value in an encrypted file, in place (the value is JSON)')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove one key from an encrypted file, in place')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Generate a new data key and re-encrypt every value; optionally add or remove master keys')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'Add or delete a key group (Shamir secret sharing)')
            [CompletionResult]::new('updatekeys', 'updatekeys', [CompletionResultType]::ParameterValue, 'Re-wrap files'' data keys for the keys their .sops.yaml creation rule names now')
            [CompletionResult]::new('exec-env', 'exec-env', [CompletionResultType]::ParameterValue, 'Run a command with the file''s top-level values added to its environment')
            [CompletionResult]::new('exec-file', 'exec-file', [CompletionResultType]::ParameterValue, 'Run a command with `{}` replaced by the path of a FIFO (or 0600 file) holding the plaintext')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show which .sops.yaml and creation rule apply to FILE, and the keys and settings encrypt would use (FILE need not exist)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Re-encrypt files for another team or environment and upload them to the S3 or GCS bucket, or write their values to the Vault KV path, that .sops.yaml destination_rules name')
            [CompletionResult]::new('filestatus', 'filestatus', [CompletionResultType]::ParameterValue, 'Print {"encrypted":true} or {"encrypted":false} for a file')
            [CompletionResult]::new('manpage', 'manpage', [CompletionResultType]::ParameterValue, 'Print the man page (roff) generated from these definitions')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('diff-driver', 'diff-driver', [CompletionResultType]::ParameterValue, 'Print a file decrypted, for git''s `textconv` (never fails: see docs/git.md)')
            [CompletionResult]::new('merge-driver', 'merge-driver', [CompletionResultType]::ParameterValue, 'Three-way merge of encrypted files, as a git merge driver (exit 1 on conflicts)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Fail when a file matching a .sops.yaml creation rule is not encrypted or its MAC is bad')
            [CompletionResult]::new('keyservice', 'keyservice', [CompletionResultType]::ParameterValue, 'Serve this machine''s keys to other machines as a SOPS key service (gRPC)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'leafseal;encrypt' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to this file instead of stdout')
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--output-type', '--output-type', [CompletionResultType]::ParameterName, 'Output format (default: from the file name)')
            [CompletionResult]::new('--filename-override', '--filename-override', [CompletionResultType]::ParameterName, 'Use this file name to pick formats (needed when reading stdin)')
            [CompletionResult]::new('--indent', '--indent', [CompletionResultType]::ParameterName, 'Indentation of YAML/JSON output')
            [CompletionResult]::new('--age', '--age', [CompletionResultType]::ParameterName, 'age recipients, comma separated')
            [CompletionResult]::new('--pgp', '--pgp', [CompletionResultType]::ParameterName, 'PGP fingerprints, comma separated')
            [CompletionResult]::new('--kms', '--kms', [CompletionResultType]::ParameterName, 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated')
            [CompletionResult]::new('--encryption-context', '--encryption-context', [CompletionResultType]::ParameterName, 'KMS encryption context for the --kms keys: key:value pairs, comma separated')
            [CompletionResult]::new('--gcp-kms', '--gcp-kms', [CompletionResultType]::ParameterName, 'GCP KMS resource IDs, comma separated')
            [CompletionResult]::new('--azure-kv', '--azure-kv', [CompletionResultType]::ParameterName, 'Azure Key Vault key URLs, comma separated')
            [CompletionResult]::new('--hc-vault-transit', '--hc-vault-transit', [CompletionResultType]::ParameterName, 'HashiCorp Vault transit URIs, comma separated')
            [CompletionResult]::new('--hckms', '--hckms', [CompletionResultType]::ParameterName, 'HuaweiCloud KMS key IDs, comma separated')
            [CompletionResult]::new('--unencrypted-suffix', '--unencrypted-suffix', [CompletionResultType]::ParameterName, 'Leave keys ending with this suffix unencrypted (default _unencrypted)')
            [CompletionResult]::new('--encrypted-suffix', '--encrypted-suffix', [CompletionResultType]::ParameterName, 'Encrypt only keys ending with this suffix')
            [CompletionResult]::new('--unencrypted-regex', '--unencrypted-regex', [CompletionResultType]::ParameterName, 'Leave keys matching this regex unencrypted')
            [CompletionResult]::new('--encrypted-regex', '--encrypted-regex', [CompletionResultType]::ParameterName, 'Encrypt only keys matching this regex')
            [CompletionResult]::new('--unencrypted-comment-regex', '--unencrypted-comment-regex', [CompletionResultType]::ParameterName, 'Leave values under comments matching this regex unencrypted')
            [CompletionResult]::new('--encrypted-comment-regex', '--encrypted-comment-regex', [CompletionResultType]::ParameterName, 'Encrypt only values under comments matching this regex')
            [CompletionResult]::new('--shamir-secret-sharing-threshold', '--shamir-secret-sharing-threshold', [CompletionResultType]::ParameterName, 'Number of key groups needed to decrypt')
            [CompletionResult]::new('--reuse-from', '--reuse-from', [CompletionResultType]::ParameterName, 'Encrypt as a new version of this encrypted file: same data key, keys and rule; values that did not change keep their ciphertext. (Also done for --output when it names an encrypted file your keys can open.)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Write the output back to the input file')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Write the output back to the input file')
            [CompletionResult]::new('--mac-only-encrypted', '--mac-only-encrypted', [CompletionResultType]::ParameterName, 'Only encrypted values enter the MAC')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;decrypt' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to this file instead of stdout')
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--output-type', '--output-type', [CompletionResultType]::ParameterName, 'Output format (default: from the file name)')
            [CompletionResult]::new('--filename-override', '--filename-override', [CompletionResultType]::ParameterName, 'Use this file name to pick formats (needed when reading stdin)')
            [CompletionResult]::new('--indent', '--indent', [CompletionResultType]::ParameterName, 'Indentation of YAML/JSON output')
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Print only this key or subtree, e.g. ''["db"]["password"]''')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'With several files: write each decrypted file below this directory (beyond SOPS)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With several files: how many are worked on at once (beyond SOPS)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Write the output back to the input file')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Write the output back to the input file')
            [CompletionResult]::new('--ignore-mac', '--ignore-mac', [CompletionResultType]::ParameterName, 'Do not verify the MAC')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;edit' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--output-type', '--output-type', [CompletionResultType]::ParameterName, 'Output format (must equal the input format for in-place commands)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--age', '--age', [CompletionResultType]::ParameterName, 'age recipients, comma separated')
            [CompletionResult]::new('--pgp', '--pgp', [CompletionResultType]::ParameterName, 'PGP fingerprints, comma separated')
            [CompletionResult]::new('--kms', '--kms', [CompletionResultType]::ParameterName, 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated')
            [CompletionResult]::new('--encryption-context', '--encryption-context', [CompletionResultType]::ParameterName, 'KMS encryption context for the --kms keys: key:value pairs, comma separated')
            [CompletionResult]::new('--gcp-kms', '--gcp-kms', [CompletionResultType]::ParameterName, 'GCP KMS resource IDs, comma separated')
            [CompletionResult]::new('--azure-kv', '--azure-kv', [CompletionResultType]::ParameterName, 'Azure Key Vault key URLs, comma separated')
            [CompletionResult]::new('--hc-vault-transit', '--hc-vault-transit', [CompletionResultType]::ParameterName, 'HashiCorp Vault transit URIs, comma separated')
            [CompletionResult]::new('--hckms', '--hckms', [CompletionResultType]::ParameterName, 'HuaweiCloud KMS key IDs, comma separated')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--ignore-mac', '--ignore-mac', [CompletionResultType]::ParameterName, 'Do not verify the MAC')
            [CompletionResult]::new('--idempotent', '--idempotent', [CompletionResultType]::ParameterName, 'Succeed without writing when there is nothing to change')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Show the `sops` metadata in the editor too')
            [CompletionResult]::new('--show-master-keys', '--show-master-keys', [CompletionResultType]::ParameterName, 'Show the `sops` metadata in the editor too')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;set' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--output-type', '--output-type', [CompletionResultType]::ParameterName, 'Output format (must equal the input format for in-place commands)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--ignore-mac', '--ignore-mac', [CompletionResultType]::ParameterName, 'Do not verify the MAC')
            [CompletionResult]::new('--idempotent', '--idempotent', [CompletionResultType]::ParameterName, 'Succeed without writing when there is nothing to change')
            [CompletionResult]::new('--value-file', '--value-file', [CompletionResultType]::ParameterName, 'Read the value from the file named by VALUE')
            [CompletionResult]::new('--value-stdin', '--value-stdin', [CompletionResultType]::ParameterName, 'Read the value from stdin (VALUE is then omitted)')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;unset' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--output-type', '--output-type', [CompletionResultType]::ParameterName, 'Output format (must equal the input format for in-place commands)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--ignore-mac', '--ignore-mac', [CompletionResultType]::ParameterName, 'Do not verify the MAC')
            [CompletionResult]::new('--idempotent', '--idempotent', [CompletionResultType]::ParameterName, 'Succeed without writing when there is nothing to change')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;rotate' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to this file instead of stdout')
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--output-type', '--output-type', [CompletionResultType]::ParameterName, 'Output format (default: from the file name)')
            [CompletionResult]::new('--filename-override', '--filename-override', [CompletionResultType]::ParameterName, 'Use this file name to pick formats (needed when reading stdin)')
            [CompletionResult]::new('--indent', '--indent', [CompletionResultType]::ParameterName, 'Indentation of YAML/JSON output')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--add-age', '--add-age', [CompletionResultType]::ParameterName, 'age recipients to add (comma separated)')
            [CompletionResult]::new('--rm-age', '--rm-age', [CompletionResultType]::ParameterName, 'age recipients to remove')
            [CompletionResult]::new('--add-pgp', '--add-pgp', [CompletionResultType]::ParameterName, 'PGP fingerprints to add')
            [CompletionResult]::new('--rm-pgp', '--rm-pgp', [CompletionResultType]::ParameterName, 'PGP fingerprints to remove')
            [CompletionResult]::new('--add-kms', '--add-kms', [CompletionResultType]::ParameterName, 'AWS KMS ARNs to add')
            [CompletionResult]::new('--rm-kms', '--rm-kms', [CompletionResultType]::ParameterName, 'AWS KMS ARNs to remove')
            [CompletionResult]::new('--add-gcp-kms', '--add-gcp-kms', [CompletionResultType]::ParameterName, 'GCP KMS resource IDs to add')
            [CompletionResult]::new('--rm-gcp-kms', '--rm-gcp-kms', [CompletionResultType]::ParameterName, 'GCP KMS resource IDs to remove')
            [CompletionResult]::new('--add-hc-vault-transit', '--add-hc-vault-transit', [CompletionResultType]::ParameterName, 'HashiCorp Vault transit URIs to add')
            [CompletionResult]::new('--rm-hc-vault-transit', '--rm-hc-vault-transit', [CompletionResultType]::ParameterName, 'HashiCorp Vault transit URIs to remove')
            [CompletionResult]::new('--add-azure-kv', '--add-azure-kv', [CompletionResultType]::ParameterName, 'Azure Key Vault key URLs to add')
            [CompletionResult]::new('--rm-azure-kv', '--rm-azure-kv', [CompletionResultType]::ParameterName, 'Azure Key Vault key URLs to remove')
            [CompletionResult]::new('--add-hckms', '--add-hckms', [CompletionResultType]::ParameterName, 'HuaweiCloud KMS key ids (region:key-uuid) to add')
            [CompletionResult]::new('--rm-hckms', '--rm-hckms', [CompletionResultType]::ParameterName, 'HuaweiCloud KMS key ids to remove')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With several files: how many are worked on at once (beyond SOPS)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Write the output back to the input file')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Write the output back to the input file')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;groups' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a key group made of the given keys')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the key group at INDEX (0-based)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'leafseal;groups;add' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The encrypted file')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The encrypted file')
            [CompletionResult]::new('--shamir-secret-sharing-threshold', '--shamir-secret-sharing-threshold', [CompletionResultType]::ParameterName, 'Groups needed to decrypt (default: keep, or all groups)')
            [CompletionResult]::new('--age', '--age', [CompletionResultType]::ParameterName, 'age recipients of the new group (repeatable)')
            [CompletionResult]::new('--pgp', '--pgp', [CompletionResultType]::ParameterName, 'PGP fingerprints of the new group (repeatable)')
            [CompletionResult]::new('--kms', '--kms', [CompletionResultType]::ParameterName, 'AWS KMS ARNs of the new group (repeatable)')
            [CompletionResult]::new('--gcp-kms', '--gcp-kms', [CompletionResultType]::ParameterName, 'GCP KMS resource IDs of the new group (repeatable)')
            [CompletionResult]::new('--hc-vault-transit', '--hc-vault-transit', [CompletionResultType]::ParameterName, 'HashiCorp Vault transit URIs of the new group (repeatable)')
            [CompletionResult]::new('--azure-kv', '--azure-kv', [CompletionResultType]::ParameterName, 'Azure Key Vault key URLs of the new group (repeatable)')
            [CompletionResult]::new('--hckms', '--hckms', [CompletionResultType]::ParameterName, 'HuaweiCloud KMS key ids of the new group (repeatable)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Write the result back to the file instead of stdout')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Write the result back to the file instead of stdout')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;groups;delete' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The encrypted file')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The encrypted file')
            [CompletionResult]::new('--shamir-secret-sharing-threshold', '--shamir-secret-sharing-threshold', [CompletionResultType]::ParameterName, 'Groups needed to decrypt (default: keep, or all groups)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Write the result back to the file instead of stdout')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Write the result back to the file instead of stdout')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;groups;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a key group made of the given keys')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the key group at INDEX (0-based)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'leafseal;groups;help;add' {
            break
        }
        'leafseal;groups;help;delete' {
            break
        }
        'leafseal;groups;help;help' {
            break
        }
        'leafseal;updatekeys' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from each file name)')
            [CompletionResult]::new('--shamir-secret-sharing-threshold', '--shamir-secret-sharing-threshold', [CompletionResultType]::ParameterName, 'Number of key groups needed to decrypt (default: keep the file''s)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With several files: how many are worked on at once (beyond SOPS)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Apply without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Apply without asking')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;exec-env' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Run the command as this user (name or numeric uid; needs privileges)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--background', '--background', [CompletionResultType]::ParameterName, 'Deprecated in SOPS; accepted and ignored (the command always runs in the foreground)')
            [CompletionResult]::new('--pristine', '--pristine', [CompletionResultType]::ParameterName, 'Pass only the decrypted values, not the current environment')
            [CompletionResult]::new('--same-process', '--same-process', [CompletionResultType]::ParameterName, 'Replace this process with the command (exec) instead of running a child')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;exec-file' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Run the command as this user (name or numeric uid; needs privileges)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Name of the temporary file (default tmp-file)')
            [CompletionResult]::new('--output-type', '--output-type', [CompletionResultType]::ParameterName, 'Output format of the plaintext (default: from the file name)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--background', '--background', [CompletionResultType]::ParameterName, 'Deprecated in SOPS; accepted and ignored (the command always runs in the foreground)')
            [CompletionResult]::new('--no-fifo', '--no-fifo', [CompletionResultType]::ParameterName, 'Use a regular 0600 file instead of a FIFO')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;explain' {
            [CompletionResult]::new('--age', '--age', [CompletionResultType]::ParameterName, 'age recipients, comma separated')
            [CompletionResult]::new('--pgp', '--pgp', [CompletionResultType]::ParameterName, 'PGP fingerprints, comma separated')
            [CompletionResult]::new('--kms', '--kms', [CompletionResultType]::ParameterName, 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated')
            [CompletionResult]::new('--encryption-context', '--encryption-context', [CompletionResultType]::ParameterName, 'KMS encryption context for the --kms keys: key:value pairs, comma separated')
            [CompletionResult]::new('--gcp-kms', '--gcp-kms', [CompletionResultType]::ParameterName, 'GCP KMS resource IDs, comma separated')
            [CompletionResult]::new('--azure-kv', '--azure-kv', [CompletionResultType]::ParameterName, 'Azure Key Vault key URLs, comma separated')
            [CompletionResult]::new('--hc-vault-transit', '--hc-vault-transit', [CompletionResultType]::ParameterName, 'HashiCorp Vault transit URIs, comma separated')
            [CompletionResult]::new('--hckms', '--hckms', [CompletionResultType]::ParameterName, 'HuaweiCloud KMS key IDs, comma separated')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the report as JSON')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;publish' {
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Pre-approve every upload: do not ask')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Pre-approve every upload: do not ask')
            [CompletionResult]::new('--omit-extensions', '--omit-extensions', [CompletionResultType]::ParameterName, 'Drop the file''s extension from the destination name')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Publish every file below a directory, named by its path below it')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;filestatus' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;manpage' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;completion' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The command name to complete: `sops` when leafseal is installed under that name')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;diff-driver' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from the file name)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;merge-driver' {
            [CompletionResult]::new('--input-type', '--input-type', [CompletionResultType]::ParameterName, 'Input format (default: from PATH, else from OURS)')
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;check' {
            [CompletionResult]::new('--decryption-order', '--decryption-order', [CompletionResultType]::ParameterName, 'Key types to try first, comma separated (default age,pgp)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat "cannot verify (no key)" as a failure too')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;keyservice' {
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'Network to listen on')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'HOST:PORT for tcp, the socket path for unix (created 0600, removed on exit)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Server certificate (PEM): serve TLS, and require client certificates from --tls-client-ca')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --tls-cert')
            [CompletionResult]::new('--tls-client-ca', '--tls-client-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that clients'' certificates must chain to')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to the .sops.yaml to use (default: search from the working directory upwards)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'AWS profile for the --kms keys (files carry their keys'' profiles)')
            [CompletionResult]::new('--enable-local-keyservice', '--enable-local-keyservice', [CompletionResultType]::ParameterName, 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with')
            [CompletionResult]::new('--age-key-file', '--age-key-file', [CompletionResultType]::ParameterName, 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)')
            [CompletionResult]::new('--keyservice', '--keyservice', [CompletionResultType]::ParameterName, 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)')
            [CompletionResult]::new('--keyservice-ca', '--keyservice-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) that tls:// key services'' certificates must chain to')
            [CompletionResult]::new('--keyservice-cert', '--keyservice-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) presented to tls:// key services')
            [CompletionResult]::new('--keyservice-key', '--keyservice-key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --keyservice-cert')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'Ask on the terminal before answering each request')
            [CompletionResult]::new('--disable-version-check', '--disable-version-check', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--check-for-updates', '--check-for-updates', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility: leafseal never checks for updates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'leafseal;help' {
            [CompletionResult]::new('encrypt', 'encrypt', [CompletionResultType]::ParameterValue, 'Encrypt a file and print the result (or write it with -i / --output)')
            [CompletionResult]::new('decrypt', 'decrypt', [CompletionResultType]::ParameterValue, 'Decrypt a file and print the result (or write it with -i / --output); several files with -i or --output-dir')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt what you save')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set one value in an encrypted file, in place (the value is JSON)')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove one key from an encrypted file, in place')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Generate a new data key and re-encrypt every value; optionally add or remove master keys')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'Add or delete a key group (Shamir secret sharing)')
            [CompletionResult]::new('updatekeys', 'updatekeys', [CompletionResultType]::ParameterValue, 'Re-wrap files'' data keys for the keys their .sops.yaml creation rule names now')
            [CompletionResult]::new('exec-env', 'exec-env', [CompletionResultType]::ParameterValue, 'Run a command with the file''s top-level values added to its environment')
            [CompletionResult]::new('exec-file', 'exec-file', [CompletionResultType]::ParameterValue, 'Run a command with `{}` replaced by the path of a FIFO (or 0600 file) holding the plaintext')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show which .sops.yaml and creation rule apply to FILE, and the keys and settings encrypt would use (FILE need not exist)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Re-encrypt files for another team or environment and upload them to the S3 or GCS bucket, or write their values to the Vault KV path, that .sops.yaml destination_rules name')
            [CompletionResult]::new('filestatus', 'filestatus', [CompletionResultType]::ParameterValue, 'Print {"encrypted":true} or {"encrypted":false} for a file')
            [CompletionResult]::new('manpage', 'manpage', [CompletionResultType]::ParameterValue, 'Print the man page (roff) generated from these definitions')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('diff-driver', 'diff-driver', [CompletionResultType]::ParameterValue, 'Print a file decrypted, for git''s `textconv` (never fails: see docs/git.md)')
            [CompletionResult]::new('merge-driver', 'merge-driver', [CompletionResultType]::ParameterValue, 'Three-way merge of encrypted files, as a git merge driver (exit 1 on conflicts)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Fail when a file matching a .sops.yaml creation rule is not encrypted or its MAC is bad')
            [CompletionResult]::new('keyservice', 'keyservice', [CompletionResultType]::ParameterValue, 'Serve this machine''s keys to other machines as a SOPS key service (gRPC)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'leafseal;help;encrypt' {
            break
        }
        'leafseal;help;decrypt' {
            break
        }
        'leafseal;help;edit' {
            break
        }
        'leafseal;help;set' {
            break
        }
        'leafseal;help;unset' {
            break
        }
        'leafseal;help;rotate' {
            break
        }
        'leafseal;help;groups' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a key group made of the given keys')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the key group at INDEX (0-based)')
            break
        }
        'leafseal;help;groups;add' {
            break
        }
        'leafseal;help;groups;delete' {
            break
        }
        'leafseal;help;updatekeys' {
            break
        }
        'leafseal;help;exec-env' {
            break
        }
        'leafseal;help;exec-file' {
            break
        }
        'leafseal;help;explain' {
            break
        }
        'leafseal;help;publish' {
            break
        }
        'leafseal;help;filestatus' {
            break
        }
        'leafseal;help;manpage' {
            break
        }
        'leafseal;help;completion' {
            break
        }
        'leafseal;help;diff-driver' {
            break
        }
        'leafseal;help;merge-driver' {
            break
        }
        'leafseal;help;check' {
            break
        }
        'leafseal;help;keyservice' {
            break
        }
        'leafseal;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
