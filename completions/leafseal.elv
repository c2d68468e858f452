
use builtin;
use str;

set edit:completion:arg-completer[leafseal] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'leafseal'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'leafseal'= {
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand encrypt 'Encrypt a file and print the result (or write it with -i / --output)'
            cand decrypt 'Decrypt a file and print the result (or write it with -i / --output); several files with -i or --output-dir'
            cand edit 'Open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt what you save'
            cand set 'Set one value in an encrypted file, in place (the value is JSON)'
            cand unset 'Remove one key from an encrypted file, in place'
            cand rotate 'Generate a new data key and re-encrypt every value; optionally add or remove master keys'
            cand groups 'Add or delete a key group (Shamir secret sharing)'
            cand updatekeys 'Re-wrap files'' data keys for the keys their .sops.yaml creation rule names now'
            cand exec-env 'Run a command with the file''s top-level values added to its environment'
            cand exec-file 'Run a command with `{}` replaced by the path of a FIFO (or 0600 file) holding the plaintext'
            cand explain 'Show which .sops.yaml and creation rule apply to FILE, and the keys and settings encrypt would use (FILE need not exist)'
            cand filestatus 'Print {"encrypted":true} or {"encrypted":false} for a file'
            cand manpage 'Print the man page (roff) generated from these definitions'
            cand completion 'Print a shell completion script'
            cand diff-driver 'Print a file decrypted, for git''s `textconv` (never fails: see docs/git.md)'
            cand merge-driver 'Three-way merge of encrypted files, as a git merge driver (exit 1 on conflicts)'
            cand check 'Fail when a file matching a .sops.yaml creation rule is not encrypted or its MAC is bad'
            cand keyservice 'Serve this machine''s keys to other machines as a SOPS key service (gRPC)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'leafseal;encrypt'= {
            cand --output 'Write the output to this file instead of stdout'
            cand --input-type 'Input format (default: from the file name)'
            cand --output-type 'Output format (default: from the file name)'
            cand --filename-override 'Use this file name to pick formats (needed when reading stdin)'
            cand --indent 'Indentation of YAML/JSON output'
            cand --age 'age recipients, comma separated'
            cand --pgp 'PGP fingerprints, comma separated'
            cand --kms 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated'
            cand --encryption-context 'KMS encryption context for the --kms keys: key:value pairs, comma separated'
            cand --gcp-kms 'GCP KMS resource IDs, comma separated'
            cand --azure-kv 'Azure Key Vault key URLs, comma separated'
            cand --hc-vault-transit 'HashiCorp Vault transit URIs, comma separated'
            cand --hckms 'HuaweiCloud KMS key IDs, comma separated'
            cand --unencrypted-suffix 'Leave keys ending with this suffix unencrypted (default _unencrypted)'
            cand --encrypted-suffix 'Encrypt only keys ending with this suffix'
            cand --unencrypted-regex 'Leave keys matching this regex unencrypted'
            cand --encrypted-regex 'Encrypt only keys matching this regex'
            cand --unencrypted-comment-regex 'Leave values under comments matching this regex unencrypted'
            cand --encrypted-comment-regex 'Encrypt only values under comments matching this regex'
            cand --shamir-secret-sharing-threshold 'Number of key groups needed to decrypt'
            cand --reuse-from 'Encrypt as a new version of this encrypted file: same data key, keys and rule; values that did not change keep their ciphertext. (Also done for --output when it names an encrypted file your keys can open.)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand -i 'Write the output back to the input file'
            cand --in-place 'Write the output back to the input file'
            cand --mac-only-encrypted 'Only encrypted values enter the MAC'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;decrypt'= {
            cand --output 'Write the output to this file instead of stdout'
            cand --input-type 'Input format (default: from the file name)'
            cand --output-type 'Output format (default: from the file name)'
            cand --filename-override 'Use this file name to pick formats (needed when reading stdin)'
            cand --indent 'Indentation of YAML/JSON output'
            cand --extract 'Print only this key or subtree, e.g. ''["db"]["password"]'''
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --output-dir 'With several files: write each decrypted file below this directory (beyond SOPS)'
            cand --jobs 'With several files: how many are worked on at once (beyond SOPS)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand -i 'Write the output back to the input file'
            cand --in-place 'Write the output back to the input file'
            cand --ignore-mac 'Do not verify the MAC'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;edit'= {
            cand --input-type 'Input format (default: from the file name)'
            cand --output-type 'Output format (must equal the input format for in-place commands)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --age 'age recipients, comma separated'
            cand --pgp 'PGP fingerprints, comma separated'
            cand --kms 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated'
            cand --encryption-context 'KMS encryption context for the --kms keys: key:value pairs, comma separated'
            cand --gcp-kms 'GCP KMS resource IDs, comma separated'
            cand --azure-kv 'Azure Key Vault key URLs, comma separated'
            cand --hc-vault-transit 'HashiCorp Vault transit URIs, comma separated'
            cand --hckms 'HuaweiCloud KMS key IDs, comma separated'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --ignore-mac 'Do not verify the MAC'
            cand --idempotent 'Succeed without writing when there is nothing to change'
            cand -s 'Show the `sops` metadata in the editor too'
            cand --show-master-keys 'Show the `sops` metadata in the editor too'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;set'= {
            cand --input-type 'Input format (default: from the file name)'
            cand --output-type 'Output format (must equal the input format for in-place commands)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --ignore-mac 'Do not verify the MAC'
            cand --idempotent 'Succeed without writing when there is nothing to change'
            cand --value-file 'Read the value from the file named by VALUE'
            cand --value-stdin 'Read the value from stdin (VALUE is then omitted)'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;unset'= {
            cand --input-type 'Input format (default: from the file name)'
            cand --output-type 'Output format (must equal the input format for in-place commands)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --ignore-mac 'Do not verify the MAC'
            cand --idempotent 'Succeed without writing when there is nothing to change'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;rotate'= {
            cand --output 'Write the output to this file instead of stdout'
            cand --input-type 'Input format (default: from the file name)'
            cand --output-type 'Output format (default: from the file name)'
            cand --filename-override 'Use this file name to pick formats (needed when reading stdin)'
            cand --indent 'Indentation of YAML/JSON output'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --add-age 'age recipients to add (comma separated)'
            cand --rm-age 'age recipients to remove'
            cand --add-pgp 'PGP fingerprints to add'
            cand --rm-pgp 'PGP fingerprints to remove'
            cand --add-kms 'AWS KMS ARNs to add'
            cand --rm-kms 'AWS KMS ARNs to remove'
            cand --jobs 'With several files: how many are worked on at once (beyond SOPS)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand -i 'Write the output back to the input file'
            cand --in-place 'Write the output back to the input file'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;groups'= {
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a key group made of the given keys'
            cand delete 'Delete the key group at INDEX (0-based)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'leafseal;groups;add'= {
            cand -f 'The encrypted file'
            cand --file 'The encrypted file'
            cand --shamir-secret-sharing-threshold 'Groups needed to decrypt (default: keep, or all groups)'
            cand --age 'age recipients of the new group (repeatable)'
            cand --pgp 'PGP fingerprints of the new group (repeatable)'
            cand --kms 'AWS KMS ARNs of the new group (repeatable)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand -i 'Write the result back to the file instead of stdout'
            cand --in-place 'Write the result back to the file instead of stdout'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;groups;delete'= {
            cand -f 'The encrypted file'
            cand --file 'The encrypted file'
            cand --shamir-secret-sharing-threshold 'Groups needed to decrypt (default: keep, or all groups)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand -i 'Write the result back to the file instead of stdout'
            cand --in-place 'Write the result back to the file instead of stdout'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;groups;help'= {
            cand add 'Add a key group made of the given keys'
            cand delete 'Delete the key group at INDEX (0-based)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'leafseal;groups;help;add'= {
        }
        &'leafseal;groups;help;delete'= {
        }
        &'leafseal;groups;help;help'= {
        }
        &'leafseal;updatekeys'= {
            cand --input-type 'Input format (default: from each file name)'
            cand --shamir-secret-sharing-threshold 'Number of key groups needed to decrypt (default: keep the file''s)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --jobs 'With several files: how many are worked on at once (beyond SOPS)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand -y 'Apply without asking'
            cand --yes 'Apply without asking'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;exec-env'= {
            cand --input-type 'Input format (default: from the file name)'
            cand --user 'Run the command as this user (name or numeric uid; needs privileges)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --background 'Deprecated in SOPS; accepted and ignored (the command always runs in the foreground)'
            cand --pristine 'Pass only the decrypted values, not the current environment'
            cand --same-process 'Replace this process with the command (exec) instead of running a child'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;exec-file'= {
            cand --input-type 'Input format (default: from the file name)'
            cand --user 'Run the command as this user (name or numeric uid; needs privileges)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --filename 'Name of the temporary file (default tmp-file)'
            cand --output-type 'Output format of the plaintext (default: from the file name)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --background 'Deprecated in SOPS; accepted and ignored (the command always runs in the foreground)'
            cand --no-fifo 'Use a regular 0600 file instead of a FIFO'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;explain'= {
            cand --age 'age recipients, comma separated'
            cand --pgp 'PGP fingerprints, comma separated'
            cand --kms 'AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated'
            cand --encryption-context 'KMS encryption context for the --kms keys: key:value pairs, comma separated'
            cand --gcp-kms 'GCP KMS resource IDs, comma separated'
            cand --azure-kv 'Azure Key Vault key URLs, comma separated'
            cand --hc-vault-transit 'HashiCorp Vault transit URIs, comma separated'
            cand --hckms 'HuaweiCloud KMS key IDs, comma separated'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --json 'Print the report as JSON'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;filestatus'= {
            cand --input-type 'Input format (default: from the file name)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;manpage'= {
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;completion'= {
            cand --name 'The command name to complete: `sops` when leafseal is installed under that name'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;diff-driver'= {
            cand --input-type 'Input format (default: from the file name)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;merge-driver'= {
            cand --input-type 'Input format (default: from PATH, else from OURS)'
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;check'= {
            cand --decryption-order 'Key types to try first, comma separated (default age,pgp)'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --strict 'Treat "cannot verify (no key)" as a failure too'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;keyservice'= {
            cand --network 'Network to listen on'
            cand --address 'HOST:PORT for tcp, the socket path for unix (created 0600, removed on exit)'
            cand --tls-cert 'Server certificate (PEM): serve TLS, and require client certificates from --tls-client-ca'
            cand --tls-key 'Private key (PEM) of --tls-cert'
            cand --tls-client-ca 'CA certificate (PEM) that clients'' certificates must chain to'
            cand --config 'Path to the .sops.yaml to use (default: search from the working directory upwards)'
            cand --aws-profile 'AWS profile for the --kms keys (files carry their keys'' profiles)'
            cand --enable-local-keyservice 'Use this machine''s keys (SOPS''s local key service; default true). `=false` leaves nothing to open or wrap a data key with'
            cand --age-key-file 'age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources still apply)'
            cand --keyservice 'Key service to wrap and open data keys through, after this machine''s keys: tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order; SOPS_KEYSERVICE is comma-separated)'
            cand --keyservice-ca 'CA certificate (PEM) that tls:// key services'' certificates must chain to'
            cand --keyservice-cert 'Client certificate (PEM) presented to tls:// key services'
            cand --keyservice-key 'Private key (PEM) of --keyservice-cert'
            cand --prompt 'Ask on the terminal before answering each request'
            cand --disable-version-check 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --check-for-updates 'Accepted for SOPS compatibility: leafseal never checks for updates'
            cand --verbose 'Accepted for SOPS compatibility (leafseal''s notes and warnings always show)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'leafseal;help'= {
            cand encrypt 'Encrypt a file and print the result (or write it with -i / --output)'
            cand decrypt 'Decrypt a file and print the result (or write it with -i / --output); several files with -i or --output-dir'
            cand edit 'Open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt what you save'
            cand set 'Set one value in an encrypted file, in place (the value is JSON)'
            cand unset 'Remove one key from an encrypted file, in place'
            cand rotate 'Generate a new data key and re-encrypt every value; optionally add or remove master keys'
            cand groups 'Add or delete a key group (Shamir secret sharing)'
            cand updatekeys 'Re-wrap files'' data keys for the keys their .sops.yaml creation rule names now'
            cand exec-env 'Run a command with the file''s top-level values added to its environment'
            cand exec-file 'Run a command with `{}` replaced by the path of a FIFO (or 0600 file) holding the plaintext'
            cand explain 'Show which .sops.yaml and creation rule apply to FILE, and the keys and settings encrypt would use (FILE need not exist)'
            cand filestatus 'Print {"encrypted":true} or {"encrypted":false} for a file'
            cand manpage 'Print the man page (roff) generated from these definitions'
            cand completion 'Print a shell completion script'
            cand diff-driver 'Print a file decrypted, for git''s `textconv` (never fails: see docs/git.md)'
            cand merge-driver 'Three-way merge of encrypted files, as a git merge driver (exit 1 on conflicts)'
            cand check 'Fail when a file matching a .sops.yaml creation rule is not encrypted or its MAC is bad'
            cand keyservice 'Serve this machine''s keys to other machines as a SOPS key service (gRPC)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'leafseal;help;encrypt'= {
        }
        &'leafseal;help;decrypt'= {
        }
        &'leafseal;help;edit'= {
        }
        &'leafseal;help;set'= {
        }
        &'leafseal;help;unset'= {
        }
        &'leafseal;help;rotate'= {
        }
        &'leafseal;help;groups'= {
            cand add 'Add a key group made of the given keys'
            cand delete 'Delete the key group at INDEX (0-based)'
        }
        &'leafseal;help;groups;add'= {
        }
        &'leafseal;help;groups;delete'= {
        }
        &'leafseal;help;updatekeys'= {
        }
        &'leafseal;help;exec-env'= {
        }
        &'leafseal;help;exec-file'= {
        }
        &'leafseal;help;explain'= {
        }
        &'leafseal;help;filestatus'= {
        }
        &'leafseal;help;manpage'= {
        }
        &'leafseal;help;completion'= {
        }
        &'leafseal;help;diff-driver'= {
        }
        &'leafseal;help;merge-driver'= {
        }
        &'leafseal;help;check'= {
        }
        &'leafseal;help;keyservice'= {
        }
        &'leafseal;help;help'= {
        }
    ]
    $completions[$command]
}
