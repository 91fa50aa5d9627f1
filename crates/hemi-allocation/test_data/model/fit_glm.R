# Reference fit for the employment model: R's glm (IRLS) on the stored synthetic outcomes.
# Run from the crate folder: Rscript test_data/model/fit_glm.R
d <- read.csv("test_data/model/outcomes.csv")
fit <- glm(employed ~ ., data = d, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
co <- coef(fit)
writeLines(sprintf("%.15e", co), "test_data/model/glm_coefficients.txt")
writeLines(c(R.version.string, sprintf("deviance %.10f", deviance(fit))), "test_data/model/r_version.txt")
