//! What a command's run means for the exit code.

use std::process::ExitCode;

/// The result of a command that finished reading its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything checked out.
    Success,
    /// The command ran, but the data fails a check (a failing example, an
    /// unresolved conflict).
    Failure,
}

/// Exit code for bad usage or unreadable input. clap uses it for usage errors too.
pub(crate) const ERROR_EXIT: u8 = 2;

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Failure => ExitCode::from(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_mean_what_the_readme_says() {
        assert_eq!(ExitCode::from(Outcome::Success), ExitCode::from(0));
        assert_eq!(ExitCode::from(Outcome::Failure), ExitCode::from(1));
        assert_eq!(ERROR_EXIT, 2);
    }
}
