//! What a command's run means for the exit code.

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

impl Outcome {
    /// The process exit code: 0, or 1 when a check failed.
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_mean_what_the_readme_says() {
        assert_eq!(Outcome::Success.exit_code(), 0);
        assert_eq!(Outcome::Failure.exit_code(), 1);
        assert_eq!(ERROR_EXIT, 2);
    }
}
