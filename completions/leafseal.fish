# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_leafseal_global_optspecs
    string join \n config= aws-profile= disable-version-check check-for-updates verbose enable-local-keyservice= age-key-file= keyservice= keyservice-ca= keyservice-cert= keyservice-key= h/help V/version
end

function __fish_leafseal_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_leafseal_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_leafseal_using_subcommand
    set -l cmd (__fish_leafseal_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c leafseal -n "__fish_leafseal_needs_command" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_needs_command" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_needs_command" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_needs_command" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_needs_command" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_needs_command" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_needs_command" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_needs_command" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_needs_command" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_needs_command" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_needs_command" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_needs_command" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_needs_command" -s V -l version -d 'Print version'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "encrypt" -d 'Encrypt a file and print the result (or write it with -i / --output)'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "decrypt" -d 'Decrypt a file and print the result (or write it with -i / --output); several files with -i or --output-dir'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "edit" -d 'Open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt what you save'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "set" -d 'Set one value in an encrypted file, in place (the value is JSON)'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "unset" -d 'Remove one key from an encrypted file, in place'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "rotate" -d 'Generate a new data key and re-encrypt every value; optionally add or remove master keys'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "groups" -d 'Add or delete a key group (Shamir secret sharing)'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "updatekeys" -d 'Re-wrap files\' data keys for the keys their .sops.yaml creation rule names now'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "exec-env" -d 'Run a command with the file\'s top-level values added to its environment'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "exec-file" -d 'Run a command with `{}` replaced by the path of a FIFO (or 0600 file) holding the plaintext'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "explain" -d 'Show which .sops.yaml and creation rule apply to FILE, and the keys and settings encrypt would use (FILE need not exist)'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "publish" -d 'Re-encrypt files for another team or environment and upload them to the S3 or GCS bucket, or write their values to the Vault KV path, that .sops.yaml destination_rules name'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "filestatus" -d 'Print {"encrypted":true} or {"encrypted":false} for a file'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "manpage" -d 'Print the man page (roff) generated from these definitions'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "diff-driver" -d 'Print a file decrypted, for git\'s `textconv` (never fails: see docs/git.md)'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "merge-driver" -d 'Three-way merge of encrypted files, as a git merge driver (exit 1 on conflicts)'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "check" -d 'Fail when a file matching a .sops.yaml creation rule is not encrypted or its MAC is bad'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "keyservice" -d 'Serve this machine\'s keys to other machines as a SOPS key service (gRPC)'
complete -c leafseal -n "__fish_leafseal_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l output -d 'Write the output to this file instead of stdout' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l output-type -d 'Output format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l filename-override -d 'Use this file name to pick formats (needed when reading stdin)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l indent -d 'Indentation of YAML/JSON output' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l age -d 'age recipients, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l pgp -d 'PGP fingerprints, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l kms -d 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l encryption-context -d 'KMS encryption context for the --kms keys: key:value pairs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l gcp-kms -d 'GCP KMS resource IDs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l azure-kv -d 'Azure Key Vault key URLs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l hc-vault-transit -d 'HashiCorp Vault transit URIs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l hckms -d 'HuaweiCloud KMS key IDs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l unencrypted-suffix -d 'Leave keys ending with this suffix unencrypted (default _unencrypted)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l encrypted-suffix -d 'Encrypt only keys ending with this suffix' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l unencrypted-regex -d 'Leave keys matching this regex unencrypted' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l encrypted-regex -d 'Encrypt only keys matching this regex' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l unencrypted-comment-regex -d 'Leave values under comments matching this regex unencrypted' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l encrypted-comment-regex -d 'Encrypt only values under comments matching this regex' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l shamir-secret-sharing-threshold -d 'Number of key groups needed to decrypt' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l reuse-from -d 'Encrypt as a new version of this encrypted file: same data key, keys and rule; values that did not change keep their ciphertext. (Also done for --output when it names an encrypted file your keys can open.)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -s i -l in-place -d 'Write the output back to the input file'
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l mac-only-encrypted -d 'Only encrypted values enter the MAC'
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand encrypt" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l output -d 'Write the output to this file instead of stdout' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l output-type -d 'Output format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l filename-override -d 'Use this file name to pick formats (needed when reading stdin)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l indent -d 'Indentation of YAML/JSON output' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l extract -d 'Print only this key or subtree, e.g. \'["db"]["password"]\'' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l output-dir -d 'With several files: write each decrypted file below this directory (beyond SOPS)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l jobs -d 'With several files: how many are worked on at once (beyond SOPS)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -s i -l in-place -d 'Write the output back to the input file'
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l ignore-mac -d 'Do not verify the MAC'
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand decrypt" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l output-type -d 'Output format (must equal the input format for in-place commands)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l age -d 'age recipients, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l pgp -d 'PGP fingerprints, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l kms -d 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l encryption-context -d 'KMS encryption context for the --kms keys: key:value pairs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l gcp-kms -d 'GCP KMS resource IDs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l azure-kv -d 'Azure Key Vault key URLs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l hc-vault-transit -d 'HashiCorp Vault transit URIs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l hckms -d 'HuaweiCloud KMS key IDs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l ignore-mac -d 'Do not verify the MAC'
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l idempotent -d 'Succeed without writing when there is nothing to change'
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -s s -l show-master-keys -d 'Show the `sops` metadata in the editor too'
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand edit" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l output-type -d 'Output format (must equal the input format for in-place commands)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l ignore-mac -d 'Do not verify the MAC'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l idempotent -d 'Succeed without writing when there is nothing to change'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l value-file -d 'Read the value from the file named by VALUE'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l value-stdin -d 'Read the value from stdin (VALUE is then omitted)'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand set" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l output-type -d 'Output format (must equal the input format for in-place commands)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l ignore-mac -d 'Do not verify the MAC'
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l idempotent -d 'Succeed without writing when there is nothing to change'
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand unset" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l output -d 'Write the output to this file instead of stdout' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l output-type -d 'Output format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l filename-override -d 'Use this file name to pick formats (needed when reading stdin)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l indent -d 'Indentation of YAML/JSON output' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l add-age -d 'age recipients to add (comma separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l rm-age -d 'age recipients to remove' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l add-pgp -d 'PGP fingerprints to add' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l rm-pgp -d 'PGP fingerprints to remove' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l add-kms -d 'AWS KMS ARNs to add' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l rm-kms -d 'AWS KMS ARNs to remove' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l add-gcp-kms -d 'GCP KMS resource IDs to add' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l rm-gcp-kms -d 'GCP KMS resource IDs to remove' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l add-hc-vault-transit -d 'HashiCorp Vault transit URIs to add' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l rm-hc-vault-transit -d 'HashiCorp Vault transit URIs to remove' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l add-azure-kv -d 'Azure Key Vault key URLs to add' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l rm-azure-kv -d 'Azure Key Vault key URLs to remove' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l add-hckms -d 'HuaweiCloud KMS key ids (region:key-uuid) to add' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l rm-hckms -d 'HuaweiCloud KMS key ids to remove' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l jobs -d 'With several files: how many are worked on at once (beyond SOPS)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -s i -l in-place -d 'Write the output back to the input file'
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand rotate" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -f -a "add" -d 'Add a key group made of the given keys'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -f -a "delete" -d 'Delete the key group at INDEX (0-based)'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and not __fish_seen_subcommand_from add delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -s f -l file -d 'The encrypted file' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l shamir-secret-sharing-threshold -d 'Groups needed to decrypt (default: keep, or all groups)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l age -d 'age recipients of the new group (repeatable)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l pgp -d 'PGP fingerprints of the new group (repeatable)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l kms -d 'AWS KMS ARNs of the new group (repeatable)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l gcp-kms -d 'GCP KMS resource IDs of the new group (repeatable)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l hc-vault-transit -d 'HashiCorp Vault transit URIs of the new group (repeatable)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l azure-kv -d 'Azure Key Vault key URLs of the new group (repeatable)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l hckms -d 'HuaweiCloud KMS key ids of the new group (repeatable)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -s i -l in-place -d 'Write the result back to the file instead of stdout'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -s f -l file -d 'The encrypted file' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l shamir-secret-sharing-threshold -d 'Groups needed to decrypt (default: keep, or all groups)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -s i -l in-place -d 'Write the result back to the file instead of stdout'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a key group made of the given keys'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete the key group at INDEX (0-based)'
complete -c leafseal -n "__fish_leafseal_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l input-type -d 'Input format (default: from each file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l shamir-secret-sharing-threshold -d 'Number of key groups needed to decrypt (default: keep the file\'s)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l jobs -d 'With several files: how many are worked on at once (beyond SOPS)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -s y -l yes -d 'Apply without asking'
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand updatekeys" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l user -d 'Run the command as this user (name or numeric uid; needs privileges)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l background -d 'Deprecated in SOPS; accepted and ignored (the command always runs in the foreground)'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l pristine -d 'Pass only the decrypted values, not the current environment'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l same-process -d 'Replace this process with the command (exec) instead of running a child'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-env" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l user -d 'Run the command as this user (name or numeric uid; needs privileges)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l filename -d 'Name of the temporary file (default tmp-file)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l output-type -d 'Output format of the plaintext (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l background -d 'Deprecated in SOPS; accepted and ignored (the command always runs in the foreground)'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l no-fifo -d 'Use a regular 0600 file instead of a FIFO'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand exec-file" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l age -d 'age recipients, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l pgp -d 'PGP fingerprints, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l kms -d 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l encryption-context -d 'KMS encryption context for the --kms keys: key:value pairs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l gcp-kms -d 'GCP KMS resource IDs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l azure-kv -d 'Azure Key Vault key URLs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l hc-vault-transit -d 'HashiCorp Vault transit URIs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l hckms -d 'HuaweiCloud KMS key IDs, comma separated' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l json -d 'Print the report as JSON'
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand explain" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -s y -l yes -d 'Pre-approve every upload: do not ask'
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l omit-extensions -d 'Drop the file\'s extension from the destination name'
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l recursive -d 'Publish every file below a directory, named by its path below it'
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand publish" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand filestatus" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand manpage" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l name -d 'The command name to complete: `sops` when leafseal is installed under that name' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand completion" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l input-type -d 'Input format (default: from the file name)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand diff-driver" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l input-type -d 'Input format (default: from PATH, else from OURS)' -r -f -a "yaml\t''
json\t''
dotenv\t''
ini\t''
toml\t''
binary\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand merge-driver" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l decryption-order -d 'Key types to try first, comma separated (default age,pgp)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l strict -d 'Treat "cannot verify (no key)" as a failure too'
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand check" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l network -d 'Network to listen on' -r -f -a "tcp\t''
unix\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l address -d 'HOST:PORT for tcp, the socket path for unix (created 0600, removed on exit)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l tls-cert -d 'Server certificate (PEM): serve TLS, and require client certificates from --tls-client-ca' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l tls-key -d 'Private key (PEM) of --tls-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l tls-client-ca -d 'CA certificate (PEM) that clients\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l config -d 'Path to the .sops.yaml to use (default: search from the working directory upwards)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l aws-profile -d 'AWS profile for the --kms keys (files carry their keys\' profiles)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l enable-local-keyservice -d 'Use this machine\'s keys (SOPS\'s local key service; default true). `=false` leaves nothing to open or wrap a data key with' -r -f -a "true\t''
false\t''"
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l age-key-file -d 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l keyservice -d 'Key service to wrap and open data keys through, after this machine\'s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)' -r
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l keyservice-ca -d 'CA certificate (PEM) that tls:// key services\' certificates must chain to' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l keyservice-cert -d 'Client certificate (PEM) presented to tls:// key services' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l keyservice-key -d 'Private key (PEM) of --keyservice-cert' -r -F
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l prompt -d 'Ask on the terminal before answering each request'
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l disable-version-check -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l check-for-updates -d 'Accepted for SOPS compatibility: leafseal never checks for updates'
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -l verbose -d 'Accepted for SOPS compatibility (leafseal\'s notes and warnings always show)'
complete -c leafseal -n "__fish_leafseal_using_subcommand keyservice" -s h -l help -d 'Print help'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "encrypt" -d 'Encrypt a file and print the result (or write it with -i / --output)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "decrypt" -d 'Decrypt a file and print the result (or write it with -i / --output); several files with -i or --output-dir'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "edit" -d 'Open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt what you save'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "set" -d 'Set one value in an encrypted file, in place (the value is JSON)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "unset" -d 'Remove one key from an encrypted file, in place'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "rotate" -d 'Generate a new data key and re-encrypt every value; optionally add or remove master keys'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "groups" -d 'Add or delete a key group (Shamir secret sharing)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "updatekeys" -d 'Re-wrap files\' data keys for the keys their .sops.yaml creation rule names now'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "exec-env" -d 'Run a command with the file\'s top-level values added to its environment'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "exec-file" -d 'Run a command with `{}` replaced by the path of a FIFO (or 0600 file) holding the plaintext'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "explain" -d 'Show which .sops.yaml and creation rule apply to FILE, and the keys and settings encrypt would use (FILE need not exist)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "publish" -d 'Re-encrypt files for another team or environment and upload them to the S3 or GCS bucket, or write their values to the Vault KV path, that .sops.yaml destination_rules name'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "filestatus" -d 'Print {"encrypted":true} or {"encrypted":false} for a file'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "manpage" -d 'Print the man page (roff) generated from these definitions'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "completion" -d 'Print a shell completion script'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "diff-driver" -d 'Print a file decrypted, for git\'s `textconv` (never fails: see docs/git.md)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "merge-driver" -d 'Three-way merge of encrypted files, as a git merge driver (exit 1 on conflicts)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "check" -d 'Fail when a file matching a .sops.yaml creation rule is not encrypted or its MAC is bad'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "keyservice" -d 'Serve this machine\'s keys to other machines as a SOPS key service (gRPC)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and not __fish_seen_subcommand_from encrypt decrypt edit set unset rotate groups updatekeys exec-env exec-file explain publish filestatus manpage completion diff-driver merge-driver check keyservice help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "add" -d 'Add a key group made of the given keys'
complete -c leafseal -n "__fish_leafseal_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "delete" -d 'Delete the key group at INDEX (0-based)'
