//! Several files in one invocation (`decrypt`, `rotate`, `updatekeys`): the files named on the
//! command line are worked on by a bounded pool of threads, and each result is reported on the
//! calling thread in argument order as soon as it and every result before it are in. Every file
//! is attempted; each failure is one `leafseal: error: FILE: …` line, and the exit code is the
//! first failing file's (in argument order).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::Failure;

/// One file to work on.
pub struct Entry {
    /// The file.
    pub path: PathBuf,
    /// Its name below an output directory: the file name for a file named on the command
    /// line, the path below the directory for a file found by walking one.
    pub rel: PathBuf,
    /// A failure already known (a directory that could not be read).
    pub broken: Option<Failure>,
}

impl Entry {
    /// The name used in messages.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// The files `args` stand for: a file (or a path that does not exist, which then fails on its
/// own) stands for itself; a directory for the files below it that `keep` accepts (hidden
/// directories skipped, sorted, as [`super::walk::files`] walks them).
pub fn collect(args: &[PathBuf], keep: impl Fn(&Path) -> bool) -> Vec<Entry> {
    let mut out = Vec::new();
    for arg in args {
        if !arg.is_dir() {
            out.push(Entry {
                path: arg.clone(),
                rel: arg.file_name().map(PathBuf::from).unwrap_or_default(),
                broken: None,
            });
            continue;
        }
        let mut found = Vec::new();
        if let Err(f) = super::walk::files(arg, &mut found) {
            out.push(Entry {
                path: arg.clone(),
                rel: PathBuf::new(),
                broken: Some(f),
            });
            continue;
        }
        for p in found.into_iter().filter(|p| keep(p)) {
            let rel = p
                .strip_prefix(arg)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            out.push(Entry {
                path: p,
                rel,
                broken: None,
            });
        }
    }
    out
}

/// The pool size when neither `--jobs` nor `LEAFSEAL_JOBS` says otherwise.
pub const DEFAULT_JOBS: u16 = 8;

/// Run `work` over `items`, at most `jobs` at a time, and hand each result to `report` on the
/// calling thread in the order of `items`, as soon as it and all results before it are in.
/// `report` may block (a confirmation prompt) while the pool goes on.
pub fn run<T, R>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    mut report: impl FnMut(&T, R),
) where
    T: Sync,
    R: Send,
{
    let workers = jobs.clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if tx.send((i, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut done: BTreeMap<usize, R> = BTreeMap::new();
        let mut due = 0;
        for (i, r) in rx {
            done.insert(i, r);
            while let Some(r) = done.remove(&due) {
                if let Some(item) = items.get(due) {
                    report(item, r);
                }
                due += 1;
            }
        }
    });
}

/// The failures of a many-file run: each printed at once on one line, hints collected and
/// printed once at the end (by `cli::main`, from the returned [`Failure`]).
#[derive(Default)]
pub struct Tally {
    code: Option<u8>,
    hints: Vec<String>,
}

impl Tally {
    /// Report one file's failure.
    pub fn fail(&mut self, f: Failure) {
        eprintln!("leafseal: error: {}", one_line(&f.message));
        self.code.get_or_insert(f.code);
        for h in f.hints {
            if !self.hints.contains(&h) {
                self.hints.push(h);
            }
        }
    }

    /// Success, or the first failure's exit code (its message is already printed).
    pub fn finish(self) -> Result<(), Failure> {
        match self.code {
            None => Ok(()),
            Some(code) => Err(Failure {
                code,
                message: String::new(),
                hints: self.hints,
            }),
        }
    }
}

/// A multi-line report (the key-recovery report) as one line: `a; b; c`, where a line ending
/// in `:` runs on into the next (`group 0: kms: …: FAILED: …`).
pub fn one_line(msg: &str) -> String {
    let mut out = String::new();
    for l in msg.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str(if out.ends_with(':') { " " } else { "; " });
        }
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn results_come_in_order_and_the_pool_is_bounded() {
        let items: Vec<usize> = (0..50).collect();
        let (live, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let seen = Mutex::new(Vec::new());
        run(
            &items,
            3,
            |i| {
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::yield_now();
                live.fetch_sub(1, Ordering::SeqCst);
                i * 2
            },
            |i, r| seen.lock().unwrap().push((*i, r)),
        );
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen, items.iter().map(|i| (*i, i * 2)).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn empty_input_runs_nothing() {
        run(&[] as &[u8], 8, |_| (), |_, _| panic!("nothing to report"));
    }

    #[test]
    fn reports_fold_into_one_line() {
        assert_eq!(
            one_line("could not retrieve the data key: 0 of 1\n  group 0:\n    kms: a: FAILED: x\n    age: b: FAILED: y"),
            "could not retrieve the data key: 0 of 1; group 0: kms: a: FAILED: x; age: b: FAILED: y"
        );
        assert_eq!(one_line("plain"), "plain");
    }
}
