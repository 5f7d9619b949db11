//! Runs a state machine for a number of actions: proptest's runner with the sequential
//! strategy, failures shrunk to a minimal sequence printed as calls, regressions persisted,
//! progress on stderr for long runs, and one closing line per machine.
//!
//! Scale comes from the environment so a soak run is the same test with a bigger number:
//! - `HARNESS_ACTIONS`: actions across all machines (default [`DEFAULT_TOTAL_ACTIONS`]),
//!   shared out by each machine's weight;
//! - `HARNESS_SEED`: the seed of the first batch (default fixed, so CI is reproducible;
//!   `random` draws one and prints it);
//! - `HARNESS_PROGRESS_SECS`: seconds between progress lines (default 30; 0 turns them off).

use std::{
    cell::RefCell,
    fmt::{self, Write as _},
    io::Write as _,
    panic,
    sync::{
        Arc, Once,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use eyre::{bail, eyre};
use proptest::test_runner::{Config, FileFailurePersistence, RngAlgorithm, RngSeed, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

/// Actions across all machines in a default `cargo test` run.
pub const DEFAULT_TOTAL_ACTIONS: u64 = 1_000_000;

/// The seed of a default run: fixed, so a CI failure replays locally.
pub const DEFAULT_SEED: u64 = 0x5eed_d3fa_c702;

/// Counters of the machine running on this thread.
#[derive(Default)]
struct Counters {
    actions: AtomicU64,
    checks: AtomicU64,
}

thread_local! {
    static COUNTERS: RefCell<Option<Arc<Counters>>> = const { RefCell::new(None) };
    static QUIET_PANICS: RefCell<bool> = const { RefCell::new(false) };
}

/// Records one executed action (an EVM transaction the model predicted) of the running machine.
pub fn count_action() {
    COUNTERS.with(|c| {
        if let Some(c) = c.borrow().as_ref() {
            c.actions.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// Records `n` checks (invariants evaluated, model-versus-contract equalities compared).
pub fn count_checks(n: u64) {
    COUNTERS.with(|c| {
        if let Some(c) = c.borrow().as_ref() {
            c.checks.fetch_add(n, Ordering::Relaxed);
        }
    });
}

/// How long and how a machine runs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Stop starting new cases once this many actions have run.
    pub actions: u64,
    /// Longest sequence of one case (cases draw 1..=max_steps transitions).
    pub max_steps: usize,
    /// Seed of the first batch of cases; later batches derive theirs from it.
    pub seed: u64,
    /// Seconds between progress lines; `None` prints none.
    pub progress_every: Option<Duration>,
    /// Where to persist the seeds of failing cases (relative to the crate), `None` for nowhere
    /// (the broken-variant test, whose failures are the point).
    pub regressions: Option<&'static str>,
    /// Shrink a failing case to a minimal sequence; off when only "does it fail" matters
    /// (`harness-mutant`, where shrinking would cost more than finding the failure).
    pub shrink: bool,
}

impl RunConfig {
    /// The configuration for a machine that gets `weight` (0..=1) of `HARNESS_ACTIONS`.
    pub fn from_env(weight: f64, regressions: &'static str) -> eyre::Result<Self> {
        let total = match std::env::var("HARNESS_ACTIONS") {
            Ok(v) => v.replace('_', "").parse::<u64>().map_err(|e| eyre!("HARNESS_ACTIONS={v:?}: {e}"))?,
            Err(_) => DEFAULT_TOTAL_ACTIONS,
        };
        let seed = match std::env::var("HARNESS_SEED").as_deref() {
            Err(_) => DEFAULT_SEED,
            Ok("random") => {
                let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos() as u64;
                eprintln!("HARNESS_SEED=random drew {seed}");
                seed
            }
            Ok(v) => v.parse().map_err(|e| eyre!("HARNESS_SEED={v:?} (a u64 or `random`): {e}"))?,
        };
        let progress_every = match std::env::var("HARNESS_PROGRESS_SECS") {
            Ok(v) => match v.parse::<u64>().map_err(|e| eyre!("HARNESS_PROGRESS_SECS={v:?}: {e}"))? {
                0 => None,
                s => Some(Duration::from_secs(s)),
            },
            Err(_) => Some(Duration::from_secs(30)),
        };
        if !(0.0..=1.0).contains(&weight) {
            bail!("a machine's weight is a share of all actions, got {weight}");
        }
        Ok(Self {
            actions: (total as f64 * weight).ceil() as u64,
            max_steps: 128,
            seed,
            progress_every,
            regressions: Some(regressions),
            shrink: true,
        })
    }
}

/// What a finished run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Machine name.
    pub name: String,
    /// Actions executed.
    pub actions: u64,
    /// Invariant and model checks passed.
    pub checks: u64,
    /// Cases (sequences from a fresh deployment) run.
    pub cases: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "{}: {} actions, {} invariant checks, 0 violations ({} cases, {:.1} s, {:.0} actions/s)",
            self.name,
            self.actions,
            self.checks,
            self.cases,
            secs,
            self.actions as f64 / secs.max(1e-9)
        )
    }
}

/// A violation: the panic message of the failing check and the minimal sequence that causes it.
#[derive(Debug, Clone)]
pub struct Violation {
    /// Machine name.
    pub name: String,
    /// What failed (the check's message).
    pub reason: String,
    /// Actions executed before the run stopped (the failing case's shrinking included).
    pub actions: u64,
    /// The shrunk sequence, one call per entry.
    pub calls: Vec<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: 1 violation: {}", self.name, self.reason)?;
        writeln!(f, "minimal failing sequence ({} calls, from a fresh deployment):", self.calls.len())?;
        for (i, call) in self.calls.iter().enumerate() {
            writeln!(f, "  {:>3}. {call}", i + 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Violation {}

/// Runs machine `T` under `name` until `config.actions` actions have run or one case fails.
/// Prints progress lines and, on success, the closing line to stderr (uncaptured, so every
/// `cargo test` shows it). A violation comes back shrunk, as `Err`.
pub fn run_machine<T>(name: &str, config: &RunConfig) -> Result<Report, Violation>
where
    T: StateMachineTest,
    <T::Reference as ReferenceStateMachine>::State: Clone + fmt::Debug,
    <T::Reference as ReferenceStateMachine>::Transition: Clone + fmt::Debug,
{
    install_quiet_panic_hook();
    let counters = Arc::new(Counters::default());
    COUNTERS.with(|c| *c.borrow_mut() = Some(counters.clone()));
    QUIET_PANICS.with(|q| *q.borrow_mut() = true);
    let started = Instant::now();
    let done = Arc::new(AtomicBool::new(false));
    let progress = config.progress_every.map(|every| spawn_progress(name, config.actions, every, &counters, &done));

    let mut cases = 0u64;
    let mut batch = 0u64;
    let result = loop {
        let remaining = config.actions.saturating_sub(counters.actions.load(Ordering::Relaxed));
        if remaining == 0 {
            break Ok(());
        }
        // Cases average max_steps/2 transitions; batches keep overshoot small and let each batch
        // replay the persisted regressions first.
        let batch_cases = (remaining / (config.max_steps as u64 / 2).max(1)).clamp(1, 256) as u32;
        let proptest_config = Config {
            cases: batch_cases,
            failure_persistence: config
                .regressions
                .map(|path| Box::new(FileFailurePersistence::Direct(path)) as Box<_>),
            rng_seed: RngSeed::Fixed(config.seed.wrapping_add(batch.wrapping_mul(0x9e37_79b9_7f4a_7c15))),
            // Not 0: proptest-state-machine's sequence tree only resets its transition counter
            // in the first shrink step, and reporting an unshrunk failure panics outside the
            // runner ("Unexpected non-zero `seen_transitions_counter`").
            max_shrink_iters: if config.shrink { 4_096 } else { 1 },
            // ChaCha's cryptographic quality buys nothing here and cost 14 % of a run (perf).
            rng_algorithm: RngAlgorithm::XorShift,
            ..Config::default()
        };
        let mut runner = TestRunner::new(proptest_config.clone());
        let strategy = T::Reference::sequential_strategy(1..=config.max_steps);
        let outcome = runner.run(&strategy, |(initial, transitions, seen)| {
            T::test_sequential(proptest_config.clone(), initial, transitions, seen);
            Ok(())
        });
        cases += u64::from(batch_cases);
        batch += 1;
        match outcome {
            Ok(()) => {}
            Err(TestError::Fail(reason, (_, transitions, _))) => {
                break Err(Violation {
                    name: name.to_owned(),
                    reason: reason.message().to_owned(),
                    actions: counters.actions.load(Ordering::Relaxed),
                    calls: transitions.iter().map(|t| format!("{t:?}")).collect(),
                });
            }
            Err(TestError::Abort(reason)) => {
                break Err(Violation {
                    name: name.to_owned(),
                    reason: format!("aborted: {reason}"),
                    actions: counters.actions.load(Ordering::Relaxed),
                    calls: Vec::new(),
                });
            }
        }
    };

    done.store(true, Ordering::Relaxed);
    if let Some(handle) = progress {
        let _ = handle.join();
    }
    QUIET_PANICS.with(|q| *q.borrow_mut() = false);
    COUNTERS.with(|c| *c.borrow_mut() = None);
    let report = Report {
        name: name.to_owned(),
        actions: counters.actions.load(Ordering::Relaxed),
        checks: counters.checks.load(Ordering::Relaxed),
        cases,
        elapsed: started.elapsed(),
    };
    match result {
        Ok(()) => {
            // Straight to stderr: cargo test captures print!/eprint!, not direct writes.
            let _ = writeln!(std::io::stderr(), "{report}");
            Ok(report)
        }
        Err(violation) => Err(violation),
    }
}

/// Prints `actions done, rate, ETA` every `every` until `done`.
fn spawn_progress(
    name: &str,
    target: u64,
    every: Duration,
    counters: &Arc<Counters>,
    done: &Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let (name, counters, done) = (name.to_owned(), counters.clone(), done.clone());
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut next = every;
        while !done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            if started.elapsed() < next {
                continue;
            }
            next += every;
            let actions = counters.actions.load(Ordering::Relaxed);
            let rate = actions as f64 / started.elapsed().as_secs_f64();
            let eta = if rate > 0.0 { target.saturating_sub(actions) as f64 / rate } else { f64::INFINITY };
            let mut line = String::new();
            let _ = write!(
                line,
                "{name}: {actions}/{target} actions ({:.0} %), {rate:.0} actions/s, ETA {}",
                100.0 * actions as f64 / target.max(1) as f64,
                human_duration(eta)
            );
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    })
}

fn human_duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "unknown".into();
    }
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3_600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3_600, (s % 3_600) / 60),
    }
}

/// Shrinking re-runs the failing case hundreds of times; printing each panic would bury the
/// minimal sequence, so panics on a machine's thread are silent (the violation carries the
/// message). Other threads keep the default hook.
fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(|q| *q.borrow()) {
                default(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A counter whose "contract" wraps at 10: the model says it never does.
    struct Counter<const LIMIT: u32>;

    impl<const LIMIT: u32> ReferenceStateMachine for Counter<LIMIT> {
        type State = u32;
        type Transition = u32;
        fn init_state() -> BoxedStrategy<u32> {
            Just(0).boxed()
        }
        fn transitions(_: &u32) -> BoxedStrategy<u32> {
            (0u32..4).boxed()
        }
        fn apply(state: u32, t: &u32) -> u32 {
            state + t
        }
    }

    impl<const LIMIT: u32> StateMachineTest for Counter<LIMIT> {
        type SystemUnderTest = u32;
        type Reference = Self;
        fn init_test(_: &u32) -> u32 {
            0
        }
        fn apply(sut: u32, model: &u32, t: u32) -> u32 {
            count_action();
            let next = (sut + t) % LIMIT;
            count_checks(1);
            assert_eq!(next, *model, "counter diverged from the model");
            next
        }
    }

    fn config(actions: u64) -> RunConfig {
        RunConfig { actions, max_steps: 16, seed: 7, progress_every: None, regressions: None, shrink: true }
    }

    #[test]
    fn a_passing_machine_runs_at_least_the_requested_actions() {
        let report = run_machine::<Counter<{ u32::MAX }>>("counter", &config(5_000)).expect("no violation");
        assert!(report.actions >= 5_000, "{report}");
        assert_eq!(report.checks, report.actions);
        assert!(report.to_string().starts_with("counter: "), "{report}");
        assert!(report.to_string().contains(" invariant checks, 0 violations"), "{report}");
    }

    #[test]
    fn a_failing_machine_is_shrunk_to_a_minimal_sequence() {
        let violation = run_machine::<Counter<10>>("counter", &config(50_000)).expect_err("wraps at 10");
        assert!(violation.reason.contains("counter diverged from the model"), "{violation}");
        // Minimal: every call is needed, i.e. the calls are non-zero and sum to exactly 10.
        let calls: Vec<u32> = violation.calls.iter().map(|c| c.parse().expect("a number")).collect();
        assert_eq!(calls.iter().sum::<u32>(), 10, "{violation}");
        assert!(calls.iter().all(|&c| c > 0), "{violation}");
    }

    #[test]
    fn durations_read_like_a_human_wrote_them() {
        assert_eq!(human_duration(42.4), "42 s");
        assert_eq!(human_duration(125.0), "2 min 5 s");
        assert_eq!(human_duration(7_380.0), "2 h 3 min");
        assert_eq!(human_duration(f64::INFINITY), "unknown");
    }
}
