#!/usr/bin/env Rscript
# replay_surveillance.R -- R `surveillance` (1.20.3) doing the replay of
# `hemi_warning::replay` from 2019-01 to 2024-04, for two purposes:
#  1. the benchmark: times every detector call (crates/hemi-warning/BENCHMARKS.md);
#  2. the reference alarms scored beside ours (tests/it/protocol.rs): with a third
#     argument it writes alarms.csv (detector,reporting_country,nationality,month) for
#     Farrington (Noufaily), EARS C2 and glrnb, every month that alarmed.
# Adapted from benches/replay_surveillance.R at the repository root: Farrington (improved, adaptive b), EARS C1/C2/C3 and NB GLR on every
# nationality series (plus the total) of the four presentation tables in data/flows.
#
# Usage (from the repository root):
#   Rscript crates/hemi-warning/test_data/r_replay/replay_surveillance.R data/flows RUNS [ALARMS_CSV]
# Output: one "key value" line per figure; per-run lines are prefixed run<N>_, then the
# medians over runs. Timings are elapsed seconds (proc.time), detector calls only,
# except total_with_io_s, which also includes reading the CSVs and building the series.
#
# Mirrors crates/hemi-warning (all_detectors):
# * farringtonFlexible, FarringtonConfig::default(): b = 3 shrunk per month to the
#   largest b >= 1 with k >= 12 b + w + 1 (k = 1-based month index), w = 2,
#   noPeriods = b + 1, pastWeeksNotIncluded = 6, alpha = 0.05, weightsThreshold = 2.58,
#   pThresholdTrend = 1, limit54 = c(5, 4), trend, reweight, nbPlugin. Months with
#   k < 15 (not enough history even for b = 1) are skipped and counted. One call per
#   (series, b) with range = that b's months: R computes each range month from past data.
# * earsC C1/C2/C3, baseline 7, R's default alpha; months with k <= maxLag are skipped.
# * glrnb, mu0 fitted by R (S = 1, no trend) on the first 24 months, alpha = 0.5,
#   c.ARL = 5, M = -1, Mtilde = 1, dir = "inc", ret = "value", range = 25..end.
suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(normalizePath(f[1])) else getwd()
})
flows <- if (length(args) >= 1) args[1] else file.path(script_dir, "..", "..", "..", "..", "data", "flows")
alarms_out <- if (length(args) >= 3) args[3] else NA
runs <- if (length(args) >= 2) as.integer(args[2]) else 3L
FROM <- 2019 * 12 + 0   # 2019-01 as year*12 + month-1
TO <- 2024 * 12 + 3     # 2024-04

mon <- function(s) as.integer(substr(s, 1, 4)) * 12L + as.integer(substr(s, 6, 7)) - 1L

read_tab <- function(file) {
  read.csv(file.path(flows, file), colClasses = "character", na.strings = character(0),
           check.names = FALSE)
}

# One table -> list of series (nationalities sorted, then the total).
table_series <- function(name, month, nat, count) {
  keep <- nat != ""
  month <- mon(month[keep]); nat <- nat[keep]; count <- as.numeric(count[keep])
  first <- min(month); last <- max(month)
  nats <- sort(unique(nat))
  m <- matrix(0, nrow = last - first + 1, ncol = length(nats))
  agg <- tapply(count, list(month - first + 1L, match(nat, nats)), sum)
  idx <- which(!is.na(agg), arr.ind = TRUE)
  m[cbind(as.integer(rownames(agg)[idx[, 1]]), as.integer(colnames(agg)[idx[, 2]]))] <- agg[idx]
  cols <- c(lapply(seq_along(nats), function(j) m[, j]), list(rowSums(m)))
  labels <- c(paste(name, nats), paste(name, "total"))
  lapply(seq_along(cols), function(j) list(label = labels[j], first = first, values = cols[[j]]))
}

load_series <- function() {
  pan <- read_tab("panama_darien_transits_by_nationality.csv")
  pan <- pan[nchar(pan$period) == 7, ]
  hnd <- read_tab("honduras_irregular_entries_by_nationality.csv")
  hnd$nationality[hnd$nationality == "TWN"] <- "CHN"
  mex <- read_tab("mexico_irregular_presented_by_nationality.csv")
  usa <- read_tab("usa_southwest_border_encounters.csv")
  c(table_series("PAN", pan$period, pan$nationality, pan$count),
    table_series("HND", hnd$month, hnd$nationality, hnd$count),
    table_series("MEX", mex$month, mex$nationality, mex$count),
    table_series("USA", usa$month, usa$citizenship, usa$count))
}

timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  value <- tryCatch(suppressMessages(suppressWarnings(force(expr))), error = function(e) NULL)
  list(ok = !is.null(value), s = proc.time()[["elapsed"]] - t0, value = value)
}
alarm_rows <- list()
## Months (year*12 + month-1) where a detector call alarmed.
keep_alarms <- function(detector, s, r, res) {
  if (is.null(res)) return(invisible())
  a <- as.logical(alarms(res)[, 1])
  m <- s$first + r[!is.na(a) & a] - 1L
  if (length(m)) {
    parts <- strsplit(s$label, " ")[[1]]
    alarm_rows[[length(alarm_rows) + 1]] <<- data.frame(
      detector = detector, reporting_country = parts[1],
      nationality = ifelse(parts[2] == "total", "ALL", parts[2]),
      month = sprintf("%04d-%02d", m %/% 12L, m %% 12L + 1L))
  }
}

one_run <- function(record) {
  t_all <- proc.time()[["elapsed"]]
  series <- load_series()
  secs <- c(farrington = 0, ears_c1 = 0, ears_c2 = 0, ears_c3 = 0, glrnb = 0)
  evaluated <- 0; skipped <- secs; errors <- secs; months <- secs
  for (s in series) {
    n_end <- min(length(s$values), TO - s$first + 1)       # cut at 2024-04
    if (n_end < 1) next
    k_from <- max(1, FROM - s$first + 1)
    if (k_from > n_end) next
    ks <- k_from:n_end
    evaluated <- evaluated + length(ks)
    y <- s$values[1:n_end]
    x <- sts(observed = matrix(y, ncol = 1), frequency = 12,
             start = c(s$first %/% 12, s$first %% 12 + 1))
    # Farrington, one call per b.
    bk <- ifelse(ks >= 39, 3, ifelse(ks >= 27, 2, ifelse(ks >= 15, 1, 0)))
    skipped[["farrington"]] <- skipped[["farrington"]] + sum(bk == 0)
    for (b in 1:3) {
      r <- ks[bk == b]
      if (!length(r)) next
      ctl <- list(range = r, b = b, w = 2, noPeriods = b + 1, pastWeeksNotIncluded = 6,
                  alpha = 0.05, weightsThreshold = 2.58, pThresholdTrend = 1,
                  limit54 = c(5, 4), populationOffset = FALSE, trend = TRUE,
                  reweight = TRUE, thresholdMethod = "nbPlugin")
      tm <- timed(farringtonFlexible(x, control = ctl))
      if (record) keep_alarms("farrington", s, r, tm$value)
      secs[["farrington"]] <- secs[["farrington"]] + tm$s
      if (tm$ok) months[["farrington"]] <- months[["farrington"]] + length(r)
      else errors[["farrington"]] <- errors[["farrington"]] + length(r)
    }
    # EARS.
    for (meth in c("C1", "C2", "C3")) {
      key <- paste0("ears_", tolower(meth))
      max_lag <- 7 + c(C1 = 0, C2 = 2, C3 = 4)[[meth]]
      r <- ks[ks > max_lag]
      skipped[[key]] <- skipped[[key]] + length(ks) - length(r)
      if (!length(r)) next
      tm <- timed(earsC(x, control = list(range = r, method = meth, baseline = 7)))
      if (record && meth == "C2") keep_alarms("ears_c2", s, r, tm$value)
      secs[[key]] <- secs[[key]] + tm$s
      if (tm$ok) months[[key]] <- months[[key]] + length(r)
      else errors[[key]] <- errors[[key]] + length(r)
    }
    # GLR NB: chart runs from month 25 (mu0 fitted on months 1..24).
    skipped[["glrnb"]] <- skipped[["glrnb"]] + sum(ks < 25)
    if (n_end >= 25) {
      ctl <- list(range = 25:n_end, c.ARL = 5, alpha = 0.5, M = -1, Mtilde = 1,
                  change = "intercept", theta = NULL, dir = "inc", ret = "value")
      tm <- timed(glrnb(x, control = ctl))
      if (record) keep_alarms("glrnb", s, 25:n_end, tm$value)
      secs[["glrnb"]] <- secs[["glrnb"]] + tm$s
      n_r <- sum(ks >= 25)
      if (tm$ok) months[["glrnb"]] <- months[["glrnb"]] + n_r
      else errors[["glrnb"]] <- errors[["glrnb"]] + n_r
    }
  }
  list(series = length(series), evaluated = evaluated, secs = secs, months = months,
       skipped = skipped, errors = errors, total = sum(secs),
       total_io = proc.time()[["elapsed"]] - t_all)
}

out <- function(k, v) cat(k, " ", format(v, digits = 6), "\n", sep = "")
res <- lapply(seq_len(runs), function(i) one_run(i == 1 && !is.na(alarms_out)))
if (!is.na(alarms_out)) {
  all <- do.call(rbind, alarm_rows)
  all <- all[order(all$detector, all$reporting_country, all$nationality, all$month), ]
  write.csv(all, alarms_out, row.names = FALSE, quote = FALSE)
}
r1 <- res[[1]]
out("r_version", paste(R.version$major, R.version$minor, sep = "."))
out("surveillance_version", as.character(packageVersion("surveillance")))
out("series", r1$series)
out("series_months", r1$evaluated)
for (d in names(r1$secs)) {
  out(paste0(d, "_months_assessed"), r1$months[[d]])
  out(paste0(d, "_months_skipped"), r1$skipped[[d]])
  out(paste0(d, "_months_error"), r1$errors[[d]])
}
for (i in seq_along(res)) {
  for (d in names(res[[i]]$secs)) out(paste0("run", i, "_", d, "_s"), round(res[[i]]$secs[[d]], 3))
  out(paste0("run", i, "_total_s"), round(res[[i]]$total, 3))
  out(paste0("run", i, "_total_with_io_s"), round(res[[i]]$total_io, 3))
}
for (d in names(r1$secs)) out(paste0("median_", d, "_s"), round(median(sapply(res, function(r) r$secs[[d]])), 3))
out("median_total_s", round(median(sapply(res, `[[`, "total")), 3))
out("median_total_with_io_s", round(median(sapply(res, `[[`, "total_io")), 3))
out("load_average", paste(tryCatch(scan("/proc/loadavg", what = "", n = 3, quiet = TRUE),
                                   error = function(e) NA), collapse = ","))
