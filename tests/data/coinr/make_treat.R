# Reference outputs of COINr 1.1.14 (https://github.com/bluefoxr/COINr, commit b968203) for
# planeval's tests of the steps before normalisation (tests/cpp/composite_treat_test.cpp): Treat on
# small vectors (ties, low side, the fallback transforms), Impute, Screen and Denominate on the
# ASEM example. Run from this folder with COINr installed:  Rscript make_treat.R
library(COINr)

num_csv <- function(df, file) {
  out <- df
  for (nm in names(out)) {
    if (is.numeric(out[[nm]])) out[[nm]] <- ifelse(is.na(out[[nm]]), NA, sprintf("%.17g", out[[nm]]))
  }
  utils::write.csv(out, file, row.names = FALSE, na = "", fileEncoding = "UTF-8")
}

# --- Treat on vectors -------------------------------------------------------------------------
heavy <- c(1:30, 1000, 1200, 1500, 2000, 3000, 5000)
cases <- list(
  ties = list(x = c(1:20, 100, 100), specs = NULL),                # two points tied at the maximum
  low = list(x = c(-100, -90, 1:12), specs = NULL),                # negative skew: winsorised low
  na = list(x = c(NA, heavy, NA), specs = NULL),                   # missing values are left alone
  log_CT = list(x = heavy, specs = list(f1_para = list(winmax = 1))),
  log_CT_neg = list(x = -heavy, specs = list(f1_para = list(winmax = 1))),
  log_CT_plus = list(x = heavy, specs = list(f1_para = list(winmax = 1), f2 = "log_CT_plus")),
  log_CT_plus_neg = list(x = -heavy, specs = list(f1_para = list(winmax = 1), f2 = "log_CT_plus")),
  log_CT_orig = list(x = heavy, specs = list(f1_para = list(winmax = 1), f2 = "log_CT_orig")),
  boxcox = list(x = heavy, specs = list(f1_para = list(winmax = 1), f2 = "boxcox", f2_para = list(lambda = 0.5)))
)
vec <- NULL
dets <- NULL
for (nm in names(cases)) {
  cs <- cases[[nm]]
  r <- Treat(data.frame(v = cs$x), global_specs = cs$specs)
  vec <- rbind(vec, data.frame(case = nm, i = seq_along(cs$x) - 1, x = cs$x, treated = r$x_treat$v,
                               point = if (is.null(r$Treated_Points$v)) "" else r$Treated_Points$v))
  d <- r$Dets_Table
  get <- function(col) if (is.null(d[[col]])) NA else d[[col]]
  dets <- rbind(dets, data.frame(case = nm, pass0 = get("check_SkewKurt0.Pass"), skew0 = get("check_SkewKurt0.Skew"),
                                 kurt0 = get("check_SkewKurt0.Kurt"), nwin = get("winsorise.nwin"),
                                 pass1 = get("check_SkewKurt1.Pass"), skew1 = get("check_SkewKurt1.Skew"),
                                 kurt1 = get("check_SkewKurt1.Kurt"), pass2 = get("check_SkewKurt2.Pass"),
                                 skew2 = get("check_SkewKurt2.Skew"), kurt2 = get("check_SkewKurt2.Kurt")))
}
num_csv(vec, "treat_vectors.csv")
num_csv(dets, "treat_details.csv")

# --- Impute, Screen, Denominate on ASEM ----------------------------------------------------------
coin <- build_example_coin(up_to = "Denominate", quietly = TRUE)
imp <- function(...) Impute(coin, dset = "Denominated", out2 = "df", ...)
num_csv(imp(f_i = "i_mean"), "treat_impute_mean.csv")
num_csv(imp(f_i = "i_median"), "treat_impute_median.csv")
num_csv(imp(f_i = "i_median_grp", use_group = "EurAsia_group"), "treat_impute_median_grp.csv")
num_csv(imp(f_i = "i_mean", impute_by = "row"), "treat_impute_row_mean.csv")
num_csv(imp(f_i = "i_median", impute_by = "row", group_level = 2), "treat_impute_row_median_pillar.csv")

scr <- function(...) Screen(coin, dset = "Denominated", out2 = "list", ...)$DataSummary
s1 <- scr(unit_screen = "byNA", dat_thresh = 0.9)
s2 <- scr(unit_screen = "byzeros", nonzero_thresh = 0.9)
s3 <- scr(unit_screen = "byNAandzeros", dat_thresh = 0.9, nonzero_thresh = 0.9,
          Force = data.frame(uCode = c("BRN", "CHE"), Include = c(TRUE, FALSE)))
num_csv(data.frame(s1[c("uCode", "N_missing", "N_zero", "Dat_Avail", "Non_Zero")],
                   byNA = s1$Included, byzeros = s2$Included, byNAandzeros_forced = s3$Included),
        "treat_screen.csv")

den <- Denominate(coin, dset = "Raw", out2 = "df",
                  denomby = data.frame(iCode = c("Flights", "Goods"), Denominator = c("Population", "GDP"),
                                       ScaleFactor = c(1000, 0.001)))
num_csv(den[c("uCode", "Flights", "Goods")], "treat_denominate_scale.csv")
