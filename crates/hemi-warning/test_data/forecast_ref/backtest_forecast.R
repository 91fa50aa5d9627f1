#!/usr/bin/env Rscript
## backtest_forecast.R -- the reference run of hemi_warning::forecast::backtest with R's
## `forecast` package (8.20, Debian r-cran-forecast), on the same series, origins,
## series selection and scoring, for crates/hemi-warning/tests/it/forecasts.rs.
##
## Usage (from the repository root):
##   Rscript crates/hemi-warning/test_data/forecast_ref/backtest_forecast.R data/flows OUT.csv
##
## Series: every watched series (each nationality and the total of the Panama, Honduras,
## Mexico and US tables, built as in ../r_replay/replay_surveillance.R). At origin o a
## series enters when it has 12 months up to o and their mean is at least 500; errors
## are scaled by the mean absolute one-step change of the data up to o (MASE); the 80%
## interval score is width + (2/0.2) * miss, scaled the same way. Two runs:
##   select: origins 2019-12..2021-12, outcomes up to 2021-12;
##   test:   origins 2022-01..2024-04, every outcome up to 2024-04.
## Methods, all on log1p of the last 36 months (naive on the whole series), back-
## transformed with expm1 and clipped at 0:
##   naive:       forecast::naive, its random-walk 80% interval;
##   ets:         forecast::ets(model = "ZZN", additive.only = TRUE), its 80% interval;
##   theta:       forecast::thetaf, its 80% interval;
##   combination: median of the three points (no interval).
## Output: period,method,horizon,forecasts,mase,coverage80,interval_score80 (horizon 0 =
## all horizons pooled), then a line "# seconds <elapsed>".
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
flows <- if (length(args) >= 1) args[1] else "data/flows"
out <- if (length(args) >= 2) args[2] else "backtest_forecast.csv"
script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(normalizePath(f[1])) else getwd()
})
src <- readLines(file.path(script_dir, "..", "r_replay", "replay_surveillance.R"))
eval(parse(text = src[grep("^mon <- function", src):(grep("^timed <- function", src) - 1)]))
S <- load_series()

ym <- function(y, m) y * 12L + m - 1L
run <- function(from, to, until) {
  H <- 6; methods <- c("naive", "ets", "theta", "combination")
  acc <- array(0, dim = c(length(methods), H, 4), dimnames = list(methods, NULL, c("n", "err", "cov", "is")))
  for (s in S) {
    y <- s$values; m <- s$first + seq_along(y) - 1L
    for (o in which(m >= from & m <= to)) {
      if (o < 12 || mean(y[(o - 11):o]) < 500) next
      sc <- mean(abs(diff(y[1:o]))); if (!(sc > 0)) next
      hs <- which(o + (1:H) <= length(y) & m[pmin(o + (1:H), length(y))] <= until)
      if (!length(hs)) next
      z <- log1p(y[1:o]); zw <- tail(z, 36)
      fn <- naive(z, h = H, level = 80)
      fe <- tryCatch(forecast(ets(zw, model = "ZZN", additive.only = TRUE), h = H, level = 80), error = function(e) NULL)
      ft <- thetaf(zw, h = H, level = 80)
      pts <- list(naive = as.numeric(fn$mean), ets = if (is.null(fe)) as.numeric(fn$mean) else as.numeric(fe$mean), theta = as.numeric(ft$mean))
      pts$combination <- apply(cbind(pts$naive, pts$ets, pts$theta), 1, median)
      lo <- list(naive = fn$lower[, 1], ets = if (is.null(fe)) fn$lower[, 1] else fe$lower[, 1], theta = ft$lower[, 1], combination = rep(NA, H))
      hi <- list(naive = fn$upper[, 1], ets = if (is.null(fe)) fn$upper[, 1] else fe$upper[, 1], theta = ft$upper[, 1], combination = rep(NA, H))
      for (k in methods) for (h in hs) {
        a <- y[o + h]; p <- max(0, expm1(pts[[k]][h]))
        l <- max(0, expm1(lo[[k]][h])); u <- max(0, expm1(hi[[k]][h]))
        miss <- if (is.na(l)) NA else if (a < l) l - a else if (a > u) a - u else 0
        acc[k, h, ] <- acc[k, h, ] + c(1, abs(a - p) / sc, if (is.na(l)) NA else as.numeric(a >= l && a <= u), if (is.na(l)) NA else (u - l + 10 * miss) / sc)
      }
    }
  }
  rows <- list()
  for (k in methods) {
    tot <- colSums(acc[k, , , drop = TRUE])
    rows[[length(rows) + 1]] <- data.frame(method = k, horizon = 0, forecasts = tot[["n"]], mase = tot[["err"]] / tot[["n"]], coverage80 = tot[["cov"]] / tot[["n"]], interval_score80 = tot[["is"]] / tot[["n"]])
    for (h in 1:H) rows[[length(rows) + 1]] <- data.frame(method = k, horizon = h, forecasts = acc[k, h, "n"], mase = acc[k, h, "err"] / acc[k, h, "n"], coverage80 = acc[k, h, "cov"] / acc[k, h, "n"], interval_score80 = acc[k, h, "is"] / acc[k, h, "n"])
  }
  do.call(rbind, rows)
}
t0 <- proc.time()[["elapsed"]]
sel <- run(ym(2019, 12), ym(2021, 12), ym(2021, 12)); sel$period <- "select"
tst <- run(ym(2022, 1), ym(2024, 4), ym(2024, 4)); tst$period <- "test"
secs <- proc.time()[["elapsed"]] - t0
res <- rbind(sel, tst)[, c("period", "method", "horizon", "forecasts", "mase", "coverage80", "interval_score80")]
write.csv(res, out, row.names = FALSE, quote = FALSE)
cat(sprintf("# seconds %.1f\n# R %s.%s forecast %s\n", secs, R.version$major, R.version$minor, as.character(packageVersion("forecast"))), file = out, append = TRUE)
