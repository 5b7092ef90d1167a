# Reference outputs of COINr 1.1.14 (https://github.com/bluefoxr/COINr, commit b968203) for
# planeval's analysis tools (include/planeval/composite/analysis.hpp). Run from this folder:
#   Rscript make_analysis.R
# Every number with 17 significant digits (the num_csv helper of make_reference.R).
library(COINr)

num_csv <- function(df, file) {
  out <- df
  for (nm in names(out)) {
    if (is.numeric(out[[nm]])) out[[nm]] <- ifelse(is.na(out[[nm]]), NA, sprintf("%.17g", out[[nm]]))
  }
  utils::write.csv(out, file, row.names = FALSE, na = "", fileEncoding = "UTF-8")
}
mat_csv <- function(m, file) num_csv(data.frame(Var = rownames(m), m, check.names = FALSE), file)

coin <- build_example_coin(quietly = TRUE)
iCodes <- coin$Meta$Ind$iCode[coin$Meta$Ind$Type == "Indicator"]

# 1. effective weights: get_eff_weights (iMeta weights, every level)
num_csv(get_eff_weights(coin, out2 = "df"), "analysis_eff_weights.csv")

# 2. Cronbach's alpha (pairwise-complete covariances) of the children of every aggregate, in the
#    data set holding the children: Raw and Normalised for indicator groups, Aggregated above
lin <- coin$Meta$Lineage
rows <- list()
for (lev in 2:4) {
  for (grp in unique(lin[[lev]])) {
    dsets <- if (lev == 2) c("Raw", "Normalised") else "Aggregated"
    for (d in dsets) {
      a <- get_cronbach(coin, dset = d, iCodes = grp, Level = lev - 1)
      rows[[length(rows) + 1]] <- data.frame(dset = d, iCode = grp, Level = lev - 1, alpha = a)
    }
  }
}
num_csv(do.call(rbind, rows), "analysis_cronbach.csv")

# 3. indicator statistics, unrounded
num_csv(get_stats(coin, dset = "Raw", nsignif = NULL), "analysis_stats_raw.csv")
num_csv(get_stats(coin, dset = "Normalised", nsignif = NULL), "analysis_stats_normalised.csv")

# 4. correlations (pairwise complete observations) and p-values of the raw indicators
raw <- get_data(coin, dset = "Raw", also_get = "none")
for (m in c("pearson", "spearman", "kendall")) {
  mat_csv(stats::cor(raw, use = "pairwise.complete.obs", method = m), paste0("analysis_corr_", m, ".csv"))
}
mat_csv(get_pvals(raw), "analysis_pvals_pearson.csv")
# Kendall: cor.test's default (exact below 50 common units without ties, else the normal
# approximation with ties corrected)
mat_csv(suppressWarnings(get_pvals(raw, method = "kendall")), "analysis_pvals_kendall.csv")
# Spearman with cor.test's default: AS 89 (exact up to 9 units, else an Edgeworth series) without
# ties, the t approximation with ties
mat_csv(suppressWarnings(get_pvals(raw, method = "spearman")), "analysis_pvals_spearman.csv")
# get_corr's default pval = 0.05: correlations whose p-value exceeds 0.05 become NA (long format)
num_csv(get_corr(coin, dset = "Raw", Levels = 1), "analysis_corr_pval05.csv")
# correlation of each indicator with its parent and with the index (get_corr withparent, pval = 0)
num_csv(get_corr(coin, dset = "Aggregated", Levels = c(1, 2), withparent = TRUE, pval = 0),
        "analysis_corr_parent.csv")
num_csv(get_corr(coin, dset = "Aggregated", Levels = c(1, 4), withparent = TRUE, pval = 0),
        "analysis_corr_index.csv")

# 5. outranking matrix and Copeland scores: the normalised indicators with the iMeta weights, and
#    columns 12:16 of ASEM_iData (with missing values) with equal weights (a_copeland's example)
nrm <- get_data(coin, dset = "Normalised", also_get = "none")
w <- coin$Meta$Ind$Weight[match(names(nrm), coin$Meta$Ind$iCode)]
orm <- outrankMatrix(nrm, w)
m <- orm$OutRankMatrix; rownames(m) <- colnames(m) <- coin$Data$Normalised$uCode
mat_csv(m, "analysis_outrank_normalised.csv")
num_csv(data.frame(uCode = coin$Data$Normalised$uCode, copeland = a_copeland(nrm, w)),
        "analysis_copeland_normalised.csv")
X <- COINr::ASEM_iData[12:16]
orm <- outrankMatrix(X, rep(1, 5))
m <- orm$OutRankMatrix; rownames(m) <- colnames(m) <- COINr::ASEM_iData$uCode
mat_csv(m, "analysis_outrank_idata12_16.csv")
num_csv(data.frame(uCode = COINr::ASEM_iData$uCode, copeland = a_copeland(X, rep(1, 5))),
        "analysis_copeland_idata12_16.csv")
num_csv(data.frame(data = c("normalised", "idata12_16"),
                   nDominant = c(outrankMatrix(nrm, w)$nDominant, orm$nDominant),
                   fracDominant = c(outrankMatrix(nrm, w)$fracDominant, orm$fracDominant)),
        "analysis_dominance.csv")

# 6. strengths and weaknesses (top/bottom 5, unrounded): every unit, Raw (direction-adjusted) and
#    Normalised. Ties of rank are kept in the order of coin$Meta$Ind (indicators sorted by level,
#    then parent code), written to analysis_meta_ind.csv
num_csv(coin$Meta$Ind[coin$Meta$Ind$Type == "Indicator", c("iCode", "Level", "Parent", "Direction")],
        "analysis_meta_ind.csv")
rows <- list()
for (d in c("Raw", "Normalised")) {
  for (u in coin$Data[[d]]$uCode) {
    sw <- get_str_weak(coin, dset = d, usel = u, sig_figs = NULL)
    for (k in c("Strengths", "Weaknesses")) {
      t <- sw[[k]]
      rows[[length(rows) + 1]] <- data.frame(dset = d, uCode = u, type = k, pos = seq_len(nrow(t)),
                                             iCode = t$Code, Parent = t[[3]], Rank = t$Rank, Value = t$Value)
    }
  }
}
num_csv(do.call(rbind, rows), "analysis_str_weak.csv")
