# Reference outputs of COINr 1.1.14 (https://github.com/bluefoxr/COINr, commit b968203) for
# planeval's tests. Run with COINr installed from that source (R CMD INSTALL), from this folder:
#   Rscript make_reference.R
# Writes the ASEM example data (ASEM_iData.csv, ASEM_iMeta.csv) and every data set of
# build_example_coin() (COINr's default pipeline: Denominate, Impute with i_mean_grp by
# EurAsia_group, Screen with dat_thresh 0.9, Treat with winmax 5, Normalise n_minmax to [0, 100],
# Aggregate a_amean) with 17 significant digits, so tests compare to the last bits.
library(COINr)

num_csv <- function(df, file) {
  out <- df
  for (nm in names(out)) {
    if (is.numeric(out[[nm]])) out[[nm]] <- ifelse(is.na(out[[nm]]), NA, sprintf("%.17g", out[[nm]]))
  }
  utils::write.csv(out, file, row.names = FALSE, na = "", fileEncoding = "UTF-8")
}

num_csv(COINr::ASEM_iData, "ASEM_iData.csv")
num_csv(COINr::ASEM_iMeta, "ASEM_iMeta.csv")

coin <- build_example_coin(quietly = TRUE)
for (d in names(coin$Data)) num_csv(coin$Data[[d]], paste0("asem_", tolower(d), ".csv"))
num_csv(coin$Analysis$Treated$Dets_Table, "asem_treat_details.csv")
num_csv(coin$Analysis$Treated$Treated_Points, "asem_treat_points.csv")
# the vignette's results table (vignette("results")): scores rounded to 2 decimals, ranks
utils::write.csv(get_results(coin, dset = "Aggregated", tab_type = "Aggs", nround = 2), "asem_results.csv",
                 row.names = FALSE, fileEncoding = "UTF-8")
