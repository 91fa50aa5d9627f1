## make_fixtures.R -- reference outputs of R `surveillance` for the hemi-warning crate.
##
## Usage (from anywhere):
##   Rscript crates/hemi-warning/test_data/make_fixtures.R [DATA_FLOWS_DIR] [OUT_DIR]
## Defaults: DATA_FLOWS_DIR = <repo>/data/flows, OUT_DIR = the folder holding this script.
## Needs R with the Debian package r-cran-surveillance (1.20.3 was used; see VERSIONS.txt).
##
## Series are REAL monthly counts from the bundled official tables. A month is filled
## with 0 only where the publisher's table has no row for that nationality (the tables
## list nationalities with a positive count) or, for Panama 2020-04/05/07 and Honduras
## 2020-04/05, where the whole month is absent because borders were closed (COVID-19;
## the Honduras total table shows 0 for those months).

suppressMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1) dirname(normalizePath(f)) else getwd()
})
flows <- if (length(args) >= 1) args[1] else file.path(script_dir, "..", "..", "..", "data", "flows")
out <- if (length(args) >= 2) args[2] else script_dir

months_between <- function(from, to) {
  s <- as.Date(paste0(from, "-01")); e <- as.Date(paste0(to, "-01"))
  format(seq(s, e, by = "month"), "%Y-%m")
}
## Complete monthly series from a (month, count) table; missing months -> 0.
complete <- function(month, count, from, to) {
  agg <- tapply(count, month, sum)
  m <- months_between(from, to)
  v <- as.numeric(agg[m]); v[is.na(v)] <- 0
  data.frame(month = m, count = v)
}

read <- function(name) read.csv(file.path(flows, name), colClasses = "character")

series <- list()
pan <- read("panama_darien_transits_by_nationality.csv")
pan <- pan[grepl("^[0-9]{4}-[0-9]{2}$", pan$period), ]   # drop 2010-2019 annual totals
pan_last <- max(pan$period)
for (nat in c("HTI", "VEN")) {
  d <- pan[pan$nationality == nat, ]
  series[[paste0("panama_", tolower(nat))]] <- complete(d$period, as.numeric(d$count), "2020-01", pan_last)
}
hon <- read("honduras_irregular_entries_by_nationality.csv")
## NPL is an extra small-count series: it exercises limit54, zero months and phi = 1.
for (nat in c("HTI", "CUB", "NPL")) {
  d <- hon[hon$nationality == nat, ]
  series[[paste0("honduras_", tolower(nat))]] <- complete(d$month, as.numeric(d$count), "2018-01", max(hon$month))
}
mex <- read("mexico_irregular_presented_by_nationality.csv")
for (nat in c("HTI", "VEN")) {
  d <- mex[mex$nationality == nat, ]   # duplicate month+nationality rows are summed
  series[[paste0("mexico_", tolower(nat))]] <- complete(d$month, as.numeric(d$count), min(mex$month), max(mex$month))
}
usa <- read("usa_southwest_border_encounters.csv")
d <- usa[usa$citizenship == "HTI", ]
series[["usa_hti"]] <- complete(d$month, as.numeric(d$count), "2019-10", max(d$month))
ht <- read("honduras_irregular_entries_total.csv")
series[["honduras_total"]] <- complete(ht$month, as.numeric(ht$count), min(ht$month), max(ht$month))

## Farrington-flexible (Noufaily 2013) configuration per series: b by history length.
far_cfg <- function(n) {
  if (n >= 72) list(b = 3, w = 2, noPeriods = 4, pastWeeksNotIncluded = 6)
  else if (n >= 54) list(b = 2, w = 2, noPeriods = 3, pastWeeksNotIncluded = 6)
  else list(b = 1, w = 2, noPeriods = 2, pastWeeksNotIncluded = 6)
}
glr_train <- 24; glr_alpha <- 0.5; glr_carl <- 5

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_fix <- function(method, name, t, obs, exp, upp, score, alarm) {
  dir.create(file.path(out, method), showWarnings = FALSE, recursive = TRUE)
  df <- data.frame(t = t, observed = fmt(obs), expected = fmt(exp), upper = fmt(upp),
                   score = fmt(ifelse(is.finite(score), score, NA)),  # 0/0, x/0 -> NA
                   alarm = ifelse(is.na(alarm), "NA", as.integer(alarm)))
  write.csv(df, file.path(out, method, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
}
dir.create(file.path(out, "series"), showWarnings = FALSE, recursive = TRUE)
cfg_lines <- character()

for (name in names(series)) {
  s <- series[[name]]
  y <- s$count; n <- length(y)
  write.csv(data.frame(month = s$month, count = sprintf("%.0f", y)),
            file.path(out, "series", paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
  start <- as.integer(strsplit(s$month[1], "-")[[1]])
  mk <- function() sts(observed = matrix(y, ncol = 1), start = start, frequency = 12)

  ## --- farringtonFlexible, Noufaily et al. (2013) settings ---
  fc <- far_cfg(n)
  rng <- (12 * fc$b + fc$w + 1):n
  ctl <- list(range = rng, b = fc$b, w = fc$w, noPeriods = fc$noPeriods,
              pastWeeksNotIncluded = fc$pastWeeksNotIncluded, reweight = TRUE,
              weightsThreshold = 2.58, alpha = 0.05, trend = TRUE, pThresholdTrend = 1,
              limit54 = c(5, 4), powertrans = "2/3", fitFun = "algo.farrington.fitGLM.flexible",
              populationOffset = FALSE, thresholdMethod = "nbPlugin", glmWarnings = FALSE)
  r <- farringtonFlexible(mk(), control = ctl)
  write_fix("farrington", name, rng - 1, y[rng], r@control$expected[, 1], upperbound(r)[, 1],
            r@control$score[, 1], alarms(r)[, 1])
  cfg_lines <- c(cfg_lines, sprintf("farrington %s: b=%d w=%d noPeriods=%d pastWeeksNotIncluded=%d",
                                    name, fc$b, fc$w, fc$noPeriods, fc$pastWeeksNotIncluded))

  ## --- EARS C1, C2, C3 (R defaults: baseline 7; alpha 0.001 for C1/C2, 0.025 for C3) ---
  for (m in c("C1", "C2", "C3")) {
    r <- earsC(mk(), control = list(method = m, baseline = 7, minSigma = 0))
    rng <- r@control$range
    alpha <- r@control$alpha; z <- qnorm(1 - alpha)
    ## expected: mean of the reference values used for point t (lags 1..7 for C1, 3..9
    ## otherwise); score: the C1/C2 statistic (y - mean)/sd, for C3 the sum of
    ## max(0, C2 - 1) over t-2..t.  Both recomputed here exactly as earsC's internals.
    lags <- if (m == "C1") 7:1 else 9:3
    mean_at <- function(k) mean(y[k - lags]); sd_at <- function(k) sd(y[k - lags])
    c2_at <- function(k) (y[k] - mean(y[k - 9:3])) / sd(y[k - 9:3])
    ex <- sapply(rng, mean_at)
    sc <- if (m == "C3") sapply(rng, function(k) sum(pmax(0, sapply(k - 2:0, c2_at) - 1)))
          else sapply(rng, function(k) (y[k] - mean_at(k)) / sd_at(k))
    write_fix(paste0("ears_", tolower(m)), name, rng - 1, y[rng], ex, upperbound(r)[, 1], sc, alarms(r)[, 1])
  }

  ## --- glrnb: intercept chart, NB with fixed alpha, mu0 from a seasonal NB GLM (S=1) ---
  rng <- (glr_train + 1):n
  r <- glrnb(mk(), control = list(range = rng, c.ARL = glr_carl, mu0 = list(S = 1, trend = FALSE),
                                   alpha = glr_alpha, Mtilde = 1, M = -1, change = "intercept",
                                   dir = "inc", ret = "value"))
  write_fix("glrnb", name, rng - 1, y[rng], r@control$mu0, rep(NA, length(rng)),
            upperbound(r)[, 1], alarms(r)[, 1])
}

writeLines(c(
  paste("R:", R.version.string),
  paste("surveillance:", as.character(packageVersion("surveillance"))),
  paste("MASS:", as.character(packageVersion("MASS"))),
  "command: Rscript crates/hemi-warning/test_data/make_fixtures.R   (from the repo root)",
  sprintf("glrnb: train=%d (mu0 fitted on months 1..%d, S=1, no trend) alpha=%g c.ARL=%g M=-1 Mtilde=1 dir=inc ret=value",
          glr_train, glr_train, glr_alpha, glr_carl),
  "ears: baseline=7 minSigma=0 alpha: C1/C2 0.001, C3 0.025 (earsC defaults when alpha is not given)",
  "farrington: farringtonFlexible thresholdMethod=nbPlugin alpha=0.05 weightsThreshold=2.58 pThresholdTrend=1 limit54=c(5,4) trend=TRUE reweight=TRUE",
  cfg_lines), file.path(out, "VERSIONS.txt"))
cat("fixtures written to", normalizePath(out), "\n")
