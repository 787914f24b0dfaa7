#!/usr/bin/env Rscript
# Reference p-values of Fisher's exact test from R's fisher.test, for the
# qda-stats test `fisher_matches_r` (crates/stats/tests/fisher_r.rs).
#
# Run from the repository root when the fixture is regenerated (not in CI):
#   apt-get install r-base-core
#   Rscript scripts/fisher_reference.R > crates/stats/tests/fixtures/fisher_r.csv
#
# Tables are random (seeded), 2 x 2 to 4 x 5, n from 5 to 2,000, with cell
# probabilities that range from independence to strong association, plus
# tables named in bug reports. Each table is tested exactly with R's
# defaults (workspace = 200000); where that fails or takes over 10 s,
# exactly again with a workspace of 2e7; where that fails too, by Monte
# Carlo (simulate.p.value = TRUE, B = 1e5). `seconds` is R's elapsed time
# for the call that gave the p-value, on the machine that ran the script.

library(parallel)

set.seed(20261204)

tables <- list(
  matrix(c(119, 84, 38, 109), 2, byrow = TRUE),
  matrix(c(215, 196, 105, 84), 2, byrow = TRUE),
  matrix(c(1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11), 4, byrow = TRUE),
  matrix(c(3, 1, 1, 3), 2, byrow = TRUE)
)

random_table <- function() {
  r <- sample(2:4, 1)
  c <- sample(2:5, 1)
  n <- round(exp(runif(1, log(5), log(2000))))
  strength <- sample(c(0, 0, 0.3, 1, 3), 1)
  rows <- rgamma(r, 2)
  cols <- rgamma(c, 2)
  probs <- outer(rows, cols) * exp(strength * matrix(rnorm(r * c), r, c))
  matrix(rmultinom(1, n, as.vector(probs)), r, c)
}

while (length(tables) < 620) {
  x <- random_table()
  # Tests need two non-empty rows and columns.
  if (sum(rowSums(x) > 0) >= 2 && sum(colSums(x) > 0) >= 2) {
    tables[[length(tables) + 1]] <- x
  }
}

# Runs `expr` in a child process, given up after `limit` seconds.
timed <- function(expr, limit = 10) {
  start <- proc.time()[["elapsed"]]
  job <- mcparallel(tryCatch(expr, error = function(e) e))
  value <- mccollect(job, wait = FALSE, timeout = limit)[[1]]
  if (is.null(value)) {
    tools::pskill(job$pid)
    mccollect(job)
    value <- simpleError("timed out")
  }
  list(value = value, seconds = proc.time()[["elapsed"]] - start)
}

cat(sprintf("# R %s.%s, fisher.test; scripts/fisher_reference.R\n", R.version$major, R.version$minor))
cat("id,rows,columns,n,cells,method,workspace,replicates,p_value,seconds\n")
for (i in seq_along(tables)) {
  x <- tables[[i]]
  cells <- paste(as.vector(t(x)), collapse = " ")
  method <- "exact"
  workspace <- 200000
  replicates <- 0
  run <- timed(fisher.test(x)$p.value)
  if (!inherits(run$value, "error") && run$seconds > 10) {
    run$value <- simpleError("timed out")
  }
  if (inherits(run$value, "error")) {
    workspace <- 2e7
    run <- timed(fisher.test(x, workspace = workspace)$p.value)
  }
  if (inherits(run$value, "error")) {
    method <- "monte_carlo"
    workspace <- 0
    replicates <- 1e5
    run <- timed(fisher.test(x, simulate.p.value = TRUE, B = replicates)$p.value, 600)
  }
  cat(sprintf("%d,%d,%d,%d,%s,%s,%d,%d,%.17g,%.3f\n", i, nrow(x), ncol(x), sum(x), cells,
              method, as.integer(workspace), as.integer(replicates), run$value, run$seconds))
  flush(stdout())
}
