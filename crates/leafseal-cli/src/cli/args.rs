//! The clap definitions: only what the user typed. Names follow SOPS 3.11.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// SOPS-compatible secrets files: readable keys, AES-256-GCM encrypted values.
#[derive(Parser, Debug)]
#[command(name = "leafseal", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// Path to the .sops.yaml to use (default: search from the working directory upwards).
    #[arg(long, global = true, env = "SOPS_CONFIG")]
    pub config: Option<PathBuf>,
    /// SOPS's global flags, accepted before or after the subcommand.
    #[command(flatten)]
    pub globals: Globals,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// SOPS's global flags that programs driving `sops` pass (Ansible's community.sops,
/// helm-secrets…).
#[derive(Args, Debug, Default)]
pub struct Globals {
    /// AWS profile for the --kms keys (files carry their keys' profiles).
    #[arg(long = "aws-profile", global = true)]
    pub aws_profile: Option<String>,
    /// Accepted for SOPS compatibility: leafseal never checks for updates.
    #[arg(long, global = true, hide = true)]
    pub disable_version_check: bool,
    /// Accepted for SOPS compatibility: leafseal never checks for updates.
    #[arg(long, global = true, hide = true)]
    pub check_for_updates: bool,
    /// Accepted for SOPS compatibility (leafseal's notes and warnings always show).
    #[arg(long, global = true)]
    pub verbose: bool,
    /// Use this machine's keys (SOPS's local key service; default true). `=false` leaves
    /// nothing to open or wrap a data key with.
    #[arg(
        long,
        global = true,
        env = "SOPS_ENABLE_LOCAL_KEYSERVICE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_name = "BOOL"
    )]
    pub enable_local_keyservice: Option<bool>,
    /// age identity file, read instead of SOPS_AGE_KEY_FILE (the other identity sources
    /// still apply).
    #[arg(long = "age-key-file", global = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub age_key_file: Option<PathBuf>,
    /// Key service to wrap and open data keys through, after this machine's keys:
    /// tcp://HOST:PORT, unix:///PATH.sock or tls://HOST:PORT (repeatable, tried in order;
    /// SOPS_KEYSERVICE is comma-separated).
    #[arg(
        long,
        global = true,
        env = "SOPS_KEYSERVICE",
        value_name = "URI",
        value_delimiter = ','
    )]
    pub keyservice: Vec<String>,
    /// CA certificate (PEM) that tls:// key services' certificates must chain to.
    #[arg(long = "keyservice-ca", global = true, env = "LEAFSEAL_KEYSERVICE_CA", value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub keyservice_ca: Option<PathBuf>,
    /// Client certificate (PEM) presented to tls:// key services.
    #[arg(long = "keyservice-cert", global = true, env = "LEAFSEAL_KEYSERVICE_CERT", value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub keyservice_cert: Option<PathBuf>,
    /// Private key (PEM) of --keyservice-cert.
    #[arg(long = "keyservice-key", global = true, env = "LEAFSEAL_KEYSERVICE_KEY", value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub keyservice_key: Option<PathBuf>,
}

const EXAMPLES: &str = "Examples:
  leafseal encrypt --age age1… secrets.yaml > secrets.enc.yaml
  SOPS_AGE_KEY_FILE=key.txt leafseal decrypt secrets.enc.yaml

SOPS forms (also when installed as `sops`):
  leafseal -e FILE | -d FILE | -r -i FILE   encrypt, decrypt, rotate
  leafseal FILE                             edit FILE (creates it when new)";

/// The `--input-type`/`--output-type` names (help, completion and validation).
fn formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(leafseal::store::Format::NAMES)
}

/// Subcommands.
// Parsed once per process: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Encrypt a file and print the result (or write it with -i / --output).
    #[command(
        after_help = "Example:\n  leafseal encrypt --age age1qy… --encrypted-regex '^(password|token)$' app.yaml > app.enc.yaml"
    )]
    Encrypt(EncryptArgs),
    /// Decrypt a file and print the result (or write it with -i / --output); several files
    /// with -i or --output-dir.
    #[command(
        after_help = "Examples:\n  leafseal decrypt app.enc.yaml\n  leafseal decrypt --extract '[\"db\"][\"password\"]' app.enc.yaml\n  leafseal decrypt --output-dir /run/app secrets/   # every encrypted file below secrets/"
    )]
    Decrypt(DecryptArgs),
    /// Open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt what you save.
    #[command(
        after_help = "Examples:\n  EDITOR='code --wait' leafseal edit app.enc.yaml\n  leafseal edit --age age1… new-secrets.yaml   # creates the file"
    )]
    Edit(EditArgs),
    /// Set one value in an encrypted file, in place (the value is JSON).
    #[command(
        after_help = "Examples:\n  leafseal set app.enc.yaml '[\"db\"][\"password\"]' '\"s3cret\"'\n  leafseal set app.enc.yaml '[\"replicas\"]' '[\"eu\", \"us\"]'"
    )]
    Set(SetArgs),
    /// Remove one key from an encrypted file, in place.
    #[command(after_help = "Example:\n  leafseal unset app.enc.yaml '[\"db\"][\"old_password\"]'")]
    Unset(UnsetArgs),
    /// Generate a new data key and re-encrypt every value; optionally add or remove master keys.
    #[command(
        after_help = "Examples:\n  leafseal rotate -i secrets.enc.yaml\n  leafseal rotate -i --add-age age1new… --rm-age age1old… secrets.enc.yaml\n  leafseal rotate -i secrets/ other.enc.yaml   # several files, 8 at a time (--jobs)"
    )]
    Rotate(RotateArgs),
    /// Add or delete a key group (Shamir secret sharing).
    #[command(
        subcommand,
        after_help = "Examples:\n  leafseal groups add -i -f secrets.enc.yaml --age age1… --shamir-secret-sharing-threshold 2\n  leafseal groups delete -i -f secrets.enc.yaml --shamir-secret-sharing-threshold 1 1"
    )]
    Groups(GroupsCommand),
    /// Re-wrap files' data keys for the keys their .sops.yaml creation rule names now.
    #[command(
        after_help = "Examples:\n  leafseal updatekeys secrets.enc.yaml\n  leafseal updatekeys -y secrets/   # every encrypted file under secrets/ that matches a rule"
    )]
    Updatekeys(UpdatekeysArgs),
    /// Run a command with the file's top-level values added to its environment.
    #[command(
        name = "exec-env",
        after_help = "Example:\n  leafseal exec-env secrets.enc.yaml './service --flag'"
    )]
    ExecEnv(ExecEnvArgs),
    /// Run a command with `{}` replaced by the path of a FIFO (or 0600 file) holding the plaintext.
    #[command(
        name = "exec-file",
        after_help = "Example:\n  leafseal exec-file secrets.enc.yaml './service --config {}'"
    )]
    ExecFile(ExecFileArgs),
    /// Show which .sops.yaml and creation rule apply to FILE, and the keys and settings
    /// encrypt would use (FILE need not exist).
    #[command(
        after_help = "Examples:\n  leafseal explain secrets/web.enc.yaml\n  leafseal explain --json --age age1… secrets/new.enc.yaml"
    )]
    Explain(ExplainArgs),
    /// Re-encrypt files for another team or environment and upload them to the S3 or GCS
    /// bucket, or write their values to the Vault KV path, that .sops.yaml destination_rules name.
    #[command(
        after_help = "Examples:\n  leafseal publish secrets.enc.yaml   # shows the destination and asks (y/n)\n  leafseal publish --yes --omit-extensions app.enc.yaml"
    )]
    Publish(PublishArgs),
    /// Print {"encrypted":true} or {"encrypted":false} for a file.
    #[command(after_help = "Example:\n  leafseal filestatus app.enc.yaml")]
    Filestatus(FilestatusArgs),
    /// Print the man page (roff) generated from these definitions.
    #[command(hide = true)]
    Manpage,
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  leafseal completion bash > /etc/bash_completion.d/leafseal"
    )]
    Completion(CompletionArgs),
    /// Print a file decrypted, for git's `textconv` (never fails: see docs/git.md).
    #[command(
        name = "diff-driver",
        after_help = "Example:\n  git config diff.sops.textconv \"leafseal diff-driver\""
    )]
    DiffDriver(DiffDriverArgs),
    /// Three-way merge of encrypted files, as a git merge driver (exit 1 on conflicts).
    #[command(
        name = "merge-driver",
        after_help = "Example:\n  git config merge.sops.driver \"leafseal merge-driver %O %A %B %P\""
    )]
    MergeDriver(MergeDriverArgs),
    /// Fail when a file matching a .sops.yaml creation rule is not encrypted or its MAC is bad.
    #[command(
        after_help = "Examples:\n  leafseal check            # the whole tree below the working directory\n  leafseal check secrets/a.enc.yaml secrets/b.enc.yaml"
    )]
    Check(CheckArgs),
    /// Serve this machine's keys to other machines as a SOPS key service (gRPC).
    #[command(
        after_help = "Examples:\n  # both ends on one machine here; docs/keyservice.md: SSH forwarding, mutual TLS\n  leafseal keyservice --network unix --address \"$PWD/ks.sock\" &   # where the keys are\n  sleep 1\n  leafseal decrypt --enable-local-keyservice=false --keyservice \"unix://$PWD/ks.sock\" app.enc.yaml\n  kill $!"
    )]
    Keyservice(KeyserviceArgs),
}

/// `keyservice`.
#[derive(Args, Debug)]
pub struct KeyserviceArgs {
    /// Network to listen on.
    #[arg(long, default_value = "tcp", value_parser = ["tcp", "unix"])]
    pub network: String,
    /// HOST:PORT for tcp, the socket path for unix (created 0600, removed on exit).
    #[arg(long, default_value = "127.0.0.1:5000")]
    pub address: String,
    /// Ask on the terminal before answering each request.
    #[arg(long)]
    pub prompt: bool,
    /// Server certificate (PEM): serve TLS, and require client certificates from
    /// --tls-client-ca.
    #[arg(long = "tls-cert", value_name = "FILE", requires_all = ["tls_key", "tls_client_ca"], value_hint = clap::ValueHint::FilePath)]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert", value_hint = clap::ValueHint::FilePath)]
    pub tls_key: Option<PathBuf>,
    /// CA certificate (PEM) that clients' certificates must chain to.
    #[arg(long = "tls-client-ca", value_name = "FILE", requires = "tls_cert", value_hint = clap::ValueHint::FilePath)]
    pub tls_client_ca: Option<PathBuf>,
}

/// Input/output flags shared by encrypt and decrypt.
#[derive(Args, Debug)]
pub struct IoArgs {
    /// Write the output back to the input file.
    #[arg(short = 'i', long = "in-place")]
    pub in_place: bool,
    /// Write the output to this file instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Input format (default: from the file name).
    #[arg(long = "input-type", value_parser = formats())]
    pub input_type: Option<String>,
    /// Output format (default: from the file name).
    #[arg(long = "output-type", value_parser = formats())]
    pub output_type: Option<String>,
    /// Use this file name to pick formats (needed when reading stdin).
    #[arg(long = "filename-override")]
    pub filename_override: Option<PathBuf>,
    /// Indentation of YAML/JSON output.
    #[arg(long)]
    pub indent: Option<usize>,
    /// The file; `-` or nothing reads stdin.
    pub file: Option<PathBuf>,
}

/// `encrypt`.
#[derive(Args, Debug)]
pub struct EncryptArgs {
    /// Shared input/output flags.
    #[command(flatten)]
    pub io: IoArgs,
    /// Master keys (override .sops.yaml keys).
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Leave keys ending with this suffix unencrypted (default _unencrypted).
    #[arg(long = "unencrypted-suffix")]
    pub unencrypted_suffix: Option<String>,
    /// Encrypt only keys ending with this suffix.
    #[arg(long = "encrypted-suffix")]
    pub encrypted_suffix: Option<String>,
    /// Leave keys matching this regex unencrypted.
    #[arg(long = "unencrypted-regex")]
    pub unencrypted_regex: Option<String>,
    /// Encrypt only keys matching this regex.
    #[arg(long = "encrypted-regex")]
    pub encrypted_regex: Option<String>,
    /// Leave values under comments matching this regex unencrypted.
    #[arg(long = "unencrypted-comment-regex")]
    pub unencrypted_comment_regex: Option<String>,
    /// Encrypt only values under comments matching this regex.
    #[arg(long = "encrypted-comment-regex")]
    pub encrypted_comment_regex: Option<String>,
    /// Only encrypted values enter the MAC.
    #[arg(long = "mac-only-encrypted")]
    pub mac_only_encrypted: bool,
    /// Number of key groups needed to decrypt.
    #[arg(long = "shamir-secret-sharing-threshold", default_value_t = 0)]
    pub shamir_threshold: usize,
    /// Encrypt as a new version of this encrypted file: same data key, keys and rule; values
    /// that did not change keep their ciphertext. (Also done for --output when it names an
    /// encrypted file your keys can open.)
    #[arg(long = "reuse-from")]
    pub reuse_from: Option<PathBuf>,
}

/// `decrypt`.
#[derive(Args, Debug)]
pub struct DecryptArgs {
    /// Shared input/output flags.
    #[command(flatten)]
    pub io: IoArgs,
    /// Print only this key or subtree, e.g. '["db"]["password"]'.
    #[arg(long)]
    pub extract: Option<String>,
    /// Do not verify the MAC.
    #[arg(long = "ignore-mac")]
    pub ignore_mac: bool,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// With several files: write each decrypted file below this directory (beyond SOPS).
    #[arg(long = "output-dir")]
    pub output_dir: Option<PathBuf>,
    /// With several files: how many are worked on at once (beyond SOPS).
    #[arg(long, env = "LEAFSEAL_JOBS", default_value_t = super::many::DEFAULT_JOBS, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// More files or directories (beyond SOPS; several files need -i or --output-dir).
    #[arg(value_name = "FILE")]
    pub more: Vec<PathBuf>,
}

/// `publish`.
#[derive(Args, Debug)]
pub struct PublishArgs {
    /// Pre-approve every upload: do not ask.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Drop the file's extension from the destination name.
    #[arg(long = "omit-extensions")]
    pub omit_extensions: bool,
    /// Publish every file below a directory, named by its path below it.
    #[arg(long)]
    pub recursive: bool,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// The encrypted file, or with --recursive a directory.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `filestatus`.
#[derive(Args, Debug)]
pub struct FilestatusArgs {
    /// Input format (default: from the file name).
    #[arg(long = "input-type", value_parser = formats())]
    pub input_type: Option<String>,
    /// The file.
    pub file: PathBuf,
}

/// `completion`.
#[derive(Args, Debug)]
pub struct CompletionArgs {
    /// bash, zsh, fish, powershell or elvish.
    pub shell: clap_complete::Shell,
    /// The command name to complete: `sops` when leafseal is installed under that name.
    #[arg(long, default_value = "leafseal")]
    pub name: String,
}

/// Flags shared by commands that rewrite an encrypted file in place.
#[derive(Args, Debug)]
pub struct RewriteArgs {
    /// Input format (default: from the file name).
    #[arg(long = "input-type", value_parser = formats())]
    pub input_type: Option<String>,
    /// Output format (must equal the input format for in-place commands).
    #[arg(long = "output-type", value_parser = formats())]
    pub output_type: Option<String>,
    /// Do not verify the MAC.
    #[arg(long = "ignore-mac")]
    pub ignore_mac: bool,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// Succeed without writing when there is nothing to change.
    #[arg(long)]
    pub idempotent: bool,
}

/// `set`.
#[derive(Args, Debug)]
pub struct SetArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: RewriteArgs,
    /// Read the value from the file named by VALUE.
    #[arg(long = "value-file")]
    pub value_file: bool,
    /// Read the value from stdin (VALUE is then omitted).
    #[arg(long = "value-stdin")]
    pub value_stdin: bool,
    /// The encrypted file.
    pub file: PathBuf,
    /// The tree path, e.g. '["db"]["password"]'.
    pub path: String,
    /// The JSON value (or a file name with --value-file).
    pub value: Option<String>,
}

/// `unset`.
#[derive(Args, Debug)]
pub struct UnsetArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: RewriteArgs,
    /// The encrypted file.
    pub file: PathBuf,
    /// The tree path, e.g. '["db"]["password"]'.
    pub path: String,
}

/// `edit`.
#[derive(Args, Debug)]
pub struct EditArgs {
    /// Shared flags (input type, --ignore-mac, --decryption-order).
    #[command(flatten)]
    pub common: RewriteArgs,
    /// Show the `sops` metadata in the editor too.
    #[arg(short = 's', long = "show-master-keys")]
    pub show_master_keys: bool,
    /// Master keys for a new file (override .sops.yaml keys).
    #[command(flatten)]
    pub keys: KeyArgs,
    /// The file (created from a template when it does not exist).
    pub file: PathBuf,
}

/// `explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Master keys, as for encrypt (they replace the rule's keys).
    #[command(flatten)]
    pub keys: KeyArgs,
    /// The file to explain (need not exist).
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,
}

/// Master-key flags, each with its SOPS environment variable. Any of them set replaces the
/// keys a `.sops.yaml` rule would give.
#[derive(Args, Debug, Default)]
pub struct KeyArgs {
    /// age recipients, comma separated.
    #[arg(long, env = "SOPS_AGE_RECIPIENTS", hide_env_values = true)]
    pub age: Option<String>,
    /// PGP fingerprints, comma separated.
    #[arg(long, env = "SOPS_PGP_FP", hide_env_values = true)]
    pub pgp: Option<String>,
    /// AWS KMS key ARNs (ARN[+ROLE_ARN]), comma separated.
    #[arg(long, env = "SOPS_KMS_ARN", hide_env_values = true)]
    pub kms: Option<String>,
    /// KMS encryption context for the --kms keys: key:value pairs, comma separated.
    #[arg(long = "encryption-context")]
    pub encryption_context: Option<String>,
    /// GCP KMS resource IDs, comma separated.
    #[arg(long = "gcp-kms", env = "SOPS_GCP_KMS_IDS", hide_env_values = true)]
    pub gcp_kms: Option<String>,
    /// Azure Key Vault key URLs, comma separated.
    #[arg(
        long = "azure-kv",
        env = "SOPS_AZURE_KEYVAULT_URLS",
        hide_env_values = true
    )]
    pub azure_kv: Option<String>,
    /// HashiCorp Vault transit URIs, comma separated.
    #[arg(
        long = "hc-vault-transit",
        env = "SOPS_VAULT_URIS",
        hide_env_values = true
    )]
    pub hc_vault_transit: Option<String>,
    /// HuaweiCloud KMS key IDs, comma separated.
    #[arg(long, env = "SOPS_HUAWEICLOUD_KMS_IDS", hide_env_values = true)]
    pub hckms: Option<String>,
}

/// Flags shared by exec-env and exec-file.
#[derive(Args, Debug)]
pub struct ExecCommon {
    /// Input format (default: from the file name).
    #[arg(long = "input-type", value_parser = formats())]
    pub input_type: Option<String>,
    /// Run the command as this user (name or numeric uid; needs privileges).
    #[arg(long)]
    pub user: Option<String>,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// Deprecated in SOPS; accepted and ignored (the command always runs in the foreground).
    #[arg(long, hide = true)]
    pub background: bool,
    /// The encrypted file.
    pub file: PathBuf,
    /// The command, run with /bin/sh -c.
    pub command: String,
}

/// `exec-env`.
#[derive(Args, Debug)]
pub struct ExecEnvArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: ExecCommon,
    /// Pass only the decrypted values, not the current environment.
    #[arg(long)]
    pub pristine: bool,
    /// Replace this process with the command (exec) instead of running a child.
    #[arg(long = "same-process")]
    pub same_process: bool,
}

/// `exec-file`.
#[derive(Args, Debug)]
pub struct ExecFileArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: ExecCommon,
    /// Use a regular 0600 file instead of a FIFO.
    #[arg(long = "no-fifo")]
    pub no_fifo: bool,
    /// Name of the temporary file (default tmp-file).
    #[arg(long, default_value = "tmp-file")]
    pub filename: String,
    /// Output format of the plaintext (default: from the file name).
    #[arg(long = "output-type", value_parser = formats())]
    pub output_type: Option<String>,
}

/// `rotate`.
#[derive(Args, Debug)]
pub struct RotateArgs {
    /// Shared input/output flags.
    #[command(flatten)]
    pub io: IoArgs,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// age recipients to add (comma separated).
    #[arg(long = "add-age")]
    pub add_age: Option<String>,
    /// age recipients to remove.
    #[arg(long = "rm-age")]
    pub rm_age: Option<String>,
    /// PGP fingerprints to add.
    #[arg(long = "add-pgp")]
    pub add_pgp: Option<String>,
    /// PGP fingerprints to remove.
    #[arg(long = "rm-pgp")]
    pub rm_pgp: Option<String>,
    /// AWS KMS ARNs to add.
    #[arg(long = "add-kms")]
    pub add_kms: Option<String>,
    /// AWS KMS ARNs to remove.
    #[arg(long = "rm-kms")]
    pub rm_kms: Option<String>,
    /// GCP KMS resource IDs to add.
    #[arg(long = "add-gcp-kms")]
    pub add_gcp_kms: Option<String>,
    /// GCP KMS resource IDs to remove.
    #[arg(long = "rm-gcp-kms")]
    pub rm_gcp_kms: Option<String>,
    /// HashiCorp Vault transit URIs to add.
    #[arg(long = "add-hc-vault-transit")]
    pub add_hc_vault_transit: Option<String>,
    /// HashiCorp Vault transit URIs to remove.
    #[arg(long = "rm-hc-vault-transit")]
    pub rm_hc_vault_transit: Option<String>,
    /// Azure Key Vault key URLs to add.
    #[arg(long = "add-azure-kv")]
    pub add_azure_kv: Option<String>,
    /// Azure Key Vault key URLs to remove.
    #[arg(long = "rm-azure-kv")]
    pub rm_azure_kv: Option<String>,
    /// HuaweiCloud KMS key ids (region:key-uuid) to add.
    #[arg(long = "add-hckms")]
    pub add_hckms: Option<String>,
    /// HuaweiCloud KMS key ids to remove.
    #[arg(long = "rm-hckms")]
    pub rm_hckms: Option<String>,
    /// With several files: how many are worked on at once (beyond SOPS).
    #[arg(long, env = "LEAFSEAL_JOBS", default_value_t = super::many::DEFAULT_JOBS, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// More files or directories (beyond SOPS; several files need -i).
    #[arg(value_name = "FILE")]
    pub more: Vec<PathBuf>,
}

/// `updatekeys`.
#[derive(Args, Debug)]
pub struct UpdatekeysArgs {
    /// Apply without asking.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Input format (default: from each file name).
    #[arg(long = "input-type", value_parser = formats())]
    pub input_type: Option<String>,
    /// Number of key groups needed to decrypt (default: keep the file's).
    #[arg(long = "shamir-secret-sharing-threshold", default_value_t = 0)]
    pub shamir_threshold: usize,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// With several files: how many are worked on at once (beyond SOPS).
    #[arg(long, env = "LEAFSEAL_JOBS", default_value_t = super::many::DEFAULT_JOBS, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Files or directories (walked; only encrypted files matching a creation rule change).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// `diff-driver`.
#[derive(Args, Debug)]
pub struct DiffDriverArgs {
    /// Input format (default: from the file name).
    #[arg(long = "input-type", value_parser = formats())]
    pub input_type: Option<String>,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// The file (git passes a temporary copy).
    pub file: PathBuf,
}

/// `merge-driver`.
#[derive(Args, Debug)]
pub struct MergeDriverArgs {
    /// Input format (default: from PATH, else from OURS).
    #[arg(long = "input-type", value_parser = formats())]
    pub input_type: Option<String>,
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// The common ancestor (git's %O; empty when the file was added on both sides).
    pub base: PathBuf,
    /// Our version (git's %A); the result is written here.
    pub ours: PathBuf,
    /// Their version (git's %B).
    pub theirs: PathBuf,
    /// The path in the repository (git's %P), used to pick the format.
    pub path: Option<PathBuf>,
}

/// `check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Key types to try first, comma separated (default age,pgp).
    #[arg(long = "decryption-order", env = "SOPS_DECRYPTION_ORDER")]
    pub decryption_order: Option<String>,
    /// Treat "cannot verify (no key)" as a failure too.
    #[arg(long)]
    pub strict: bool,
    /// Files or directories to check (default: the working directory; hidden directories such as .git are skipped).
    pub paths: Vec<PathBuf>,
}

/// `groups` subcommands.
#[derive(Subcommand, Debug)]
pub enum GroupsCommand {
    /// Add a key group made of the given keys.
    #[command(
        after_help = "Example:\n  leafseal groups add -i -f secrets.enc.yaml --age age1… --pgp FP --shamir-secret-sharing-threshold 2"
    )]
    Add(GroupsAddArgs),
    /// Delete the key group at INDEX (0-based).
    #[command(
        after_help = "Example:\n  leafseal groups delete -i -f secrets.enc.yaml --shamir-secret-sharing-threshold 1 1"
    )]
    Delete(GroupsDeleteArgs),
}

/// Flags shared by the groups subcommands.
#[derive(Args, Debug)]
pub struct GroupsCommon {
    /// The encrypted file.
    #[arg(short = 'f', long = "file")]
    pub file: PathBuf,
    /// Write the result back to the file instead of stdout.
    #[arg(short = 'i', long = "in-place")]
    pub in_place: bool,
    /// Groups needed to decrypt (default: keep, or all groups).
    #[arg(long = "shamir-secret-sharing-threshold", default_value_t = 0)]
    pub shamir_threshold: usize,
}

/// `groups add`.
#[derive(Args, Debug)]
pub struct GroupsAddArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: GroupsCommon,
    /// age recipients of the new group (repeatable).
    #[arg(long)]
    pub age: Vec<String>,
    /// PGP fingerprints of the new group (repeatable).
    #[arg(long)]
    pub pgp: Vec<String>,
    /// AWS KMS ARNs of the new group (repeatable).
    #[arg(long)]
    pub kms: Vec<String>,
    /// GCP KMS resource IDs of the new group (repeatable).
    #[arg(long = "gcp-kms")]
    pub gcp_kms: Vec<String>,
    /// HashiCorp Vault transit URIs of the new group (repeatable).
    #[arg(long = "hc-vault-transit")]
    pub hc_vault_transit: Vec<String>,
    /// Azure Key Vault key URLs of the new group (repeatable).
    #[arg(long = "azure-kv")]
    pub azure_kv: Vec<String>,
    /// HuaweiCloud KMS key ids of the new group (repeatable).
    #[arg(long)]
    pub hckms: Vec<String>,
}

/// `groups delete`.
#[derive(Args, Debug)]
pub struct GroupsDeleteArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: GroupsCommon,
    /// Index of the group to delete.
    pub index: usize,
}
