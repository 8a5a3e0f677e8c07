//! How a run's work is done: on every core when it pays, and what is left to the operating
//! system at exit.

static ONE_SHOT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells the engine that the process ends after this run (a CLI check): the big models it
/// builds are then left to the operating system instead of being freed piece by piece.
pub fn set_one_shot() {
    ONE_SHOT.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Drops `value`, or, in a one-shot run, leaves its memory to the operating system at exit.
pub fn release<T>(value: T) {
    if ONE_SHOT.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

/// `f` applied to every item, in order: on every core (rayon) when there are at least two
/// items, in this thread otherwise, so checking one file never starts a thread pool.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < 2 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}
