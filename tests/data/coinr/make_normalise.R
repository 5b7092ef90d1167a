# Reference outputs of COINr 1.1.14's normalisation (https://github.com/bluefoxr/COINr, commit
# b968203) for planeval's tests (tests/cpp/composite_normalise_test.cpp). Run from this folder:
#   Rscript make_normalise.R
# Writes (numbers with 17 significant digits):
# - normalise_vectors.csv: each n_* function through Normalise() on small hand vectors (with NA,
#   ties, direction 1 and -1), long format: case, i (1-based), x, y.
# - normalise_asem_<case>.csv: Normalise() of build_example_coin()'s Treated data set (as in
#   asem_treated.csv) with one global spec for every indicator, directions from iMeta.
# - normalise_asem_mixed.csv: Normalise() with a global spec and per-indicator indiv_specs (a
#   different method for different indicators in one data set).
# - normalise_asem_goalposts.csv, normalise_asem_scaled.csv: per-indicator goalposts / npara
#   (min + 10% and max - 10% of the range of each indicator), given as COINr's use_iMeta path does
#   for Direction -1: c(-upper, -lower).
library(COINr)

num_csv <- function(df, file) {
  out <- df
  for (nm in names(out)) {
    if (is.numeric(out[[nm]])) out[[nm]] <- ifelse(is.na(out[[nm]]), NA, sprintf("%.17g", out[[nm]]))
  }
  utils::write.csv(out, file, row.names = FALSE, na = "", fileEncoding = "UTF-8")
}

# --- hand vectors ---------------------------------------------------------------------------
v1 <- c(10, 20, 20, 5, NA, 7)
v2 <- c(2, 4, 4, 4, 5, 5, 7, 9)
cases <- list(
  minmax = list(v1, "n_minmax", list(l_u = c(0, 100)), 1),
  minmax_1_10_neg = list(v1, "n_minmax", list(l_u = c(1, 10)), -1),
  zscore = list(v2, "n_zscore", list(m_sd = c(0, 1)), 1),
  zscore_10_2_neg = list(v1, "n_zscore", list(m_sd = c(10, 2)), -1),
  rank_min = list(v1, "n_rank", list(ties.method = "min"), 1),
  rank_average = list(v1, "n_rank", list(ties.method = "average"), 1),
  rank_max = list(v1, "n_rank", list(ties.method = "max"), 1),
  rank_first = list(v1, "n_rank", list(ties.method = "first"), 1),
  rank_last = list(v1, "n_rank", list(ties.method = "last"), 1),
  rank_min_neg = list(v1, "n_rank", list(ties.method = "min"), -1),
  prank_min = list(v1, "n_prank", list(ties.method = "min"), 1),
  prank_average_neg = list(v1, "n_prank", list(ties.method = "average"), -1),
  borda_min = list(v1, "n_borda", list(ties.method = "min"), 1),
  borda_average = list(v1, "n_borda", list(ties.method = "average"), 1),
  dist2targ_15 = list(v1, "n_dist2targ", list(targ = 15, cap_max = FALSE), 1),
  dist2targ_15_cap = list(v1, "n_dist2targ", list(targ = 15, cap_max = TRUE), 1),
  # direction -1: Normalise negates x, so the target of 8 is passed as -8 (COINr's use_iMeta does this)
  dist2targ_8_neg = list(v1, "n_dist2targ", list(targ = -8, cap_max = FALSE), -1),
  dist2targ_8_neg_cap = list(v1, "n_dist2targ", list(targ = -8, cap_max = TRUE), -1),
  dist2ref_1 = list(v1, "n_dist2ref", list(iref = 1, cap_max = FALSE), 1),
  dist2ref_1_cap = list(v1, "n_dist2ref", list(iref = 1, cap_max = TRUE), 1),
  dist2ref_6_neg = list(v1, "n_dist2ref", list(iref = 6, cap_max = FALSE), -1),
  goalposts_6_18 = list(v1, "n_goalposts", list(gposts = c(6, 18, 1), trunc2posts = TRUE), 1),
  goalposts_6_18_notrunc = list(v1, "n_goalposts", list(gposts = c(6, 18, 100), trunc2posts = FALSE), 1),
  # direction -1 the use_iMeta way: x negated, goalposts c(-upper, -lower)
  goalposts_6_18_neg = list(v1, "n_goalposts", list(gposts = c(-18, -6, 100), trunc2posts = TRUE), -1),
  scaled_0_20 = list(v1, "n_scaled", list(npara = c(0, 20), scale_factor = 100), 1),
  scaled_0_20_neg = list(v1, "n_scaled", list(npara = c(-20, 0), scale_factor = 10), -1),
  fracmax = list(v1, "n_fracmax", list(), 1),
  dist2max = list(v1, "n_dist2max", list(), 1),
  dist2max_neg = list(v1, "n_dist2max", list(), -1)
)
rows <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  y <- Normalise(cs[[1]], f_n = cs[[2]], f_n_para = cs[[3]], direction = cs[[4]])
  rows[[nm]] <- data.frame(case = nm, i = seq_along(cs[[1]]), x = cs[[1]], y = y)
}
num_csv(do.call(rbind, rows), "normalise_vectors.csv")

# --- ASEM: Normalise() on the Treated data set -----------------------------------------------
coin <- build_example_coin(up_to = "Treat", quietly = TRUE)
treated <- coin$Data$Treated
meta <- coin$Meta$Ind[coin$Meta$Ind$Type == "Indicator", ]
icodes <- meta$iCode
dirs <- meta[c("iCode", "Direction")]

norm <- function(global_specs = NULL, indiv_specs = NULL, directions = NULL) {
  Normalise(coin, dset = "Treated", global_specs = global_specs, indiv_specs = indiv_specs,
            directions = directions, out2 = "df")
}
asem_cases <- list(
  minmax_1_10 = norm(list(f_n = "n_minmax", f_n_para = list(l_u = c(1, 10)))),
  zscore_10_2 = norm(list(f_n = "n_zscore", f_n_para = list(m_sd = c(10, 2)))),
  rank = norm(list(f_n = "n_rank")),
  prank = norm(list(f_n = "n_prank")),
  borda = norm(list(f_n = "n_borda")),
  # iMeta's Target per indicator (Target * Direction, no cap: COINr's use_iMeta without dist2targ_cap_max)
  dist2targ = norm(list(f_n = "n_dist2targ", f_n_para = "use_iMeta")),
  dist2ref = norm(list(f_n = "n_dist2ref", f_n_para = list(iref = 5, cap_max = FALSE))),
  # every direction 1 (for a lower-is-better indicator of positive values n_fracmax reverses the order)
  fracmax = norm(list(f_n = "n_fracmax"), directions = data.frame(iCode = icodes, Direction = 1)),
  dist2max = norm(list(f_n = "n_dist2max"))
)
for (nm in names(asem_cases)) num_csv(asem_cases[[nm]], paste0("normalise_asem_", nm, ".csv"))

# goalposts and scaled per indicator: lower l = min + 10% of the range, upper u = max - 10%
gp_specs <- list()
sc_specs <- list()
gp_table <- data.frame(iCode = icodes, lower = NA_real_, upper = NA_real_, Direction = meta$Direction)
for (k in seq_along(icodes)) {
  x <- treated[[icodes[k]]]
  mn <- min(x, na.rm = TRUE)
  mx <- max(x, na.rm = TRUE)
  l <- mn + 0.1 * (mx - mn)
  u <- mx - 0.1 * (mx - mn)
  gp_table$lower[k] <- l
  gp_table$upper[k] <- u
  g <- if (meta$Direction[k] == -1) c(-u, -l) else c(l, u)
  gp_specs[[icodes[k]]] <- list(f_n = "n_goalposts", f_n_para = list(gposts = c(g, 100), trunc2posts = TRUE))
  sc_specs[[icodes[k]]] <- list(f_n = "n_scaled", f_n_para = list(npara = g, scale_factor = 100))
}
num_csv(gp_table, "normalise_asem_goalposts_table.csv")
num_csv(norm(indiv_specs = gp_specs), "normalise_asem_goalposts.csv")
num_csv(norm(indiv_specs = sc_specs), "normalise_asem_scaled.csv")

# one data set, different methods: global n_minmax to [0, 100], and per indicator
target <- function(code) meta$Target[meta$iCode == code] * meta$Direction[meta$iCode == code]
mixed <- list(
  LPI = list(f_n = "n_zscore", f_n_para = list(m_sd = c(10, 2))),
  Flights = list(f_n = "n_rank", f_n_para = list(ties.method = "min")),
  Ship = list(f_n = "n_prank"),
  Bord = list(f_n = "n_borda"),
  Elec = list(f_n = "n_dist2targ", f_n_para = list(targ = target("Elec"), cap_max = TRUE)),
  Gas = list(f_n = "n_dist2ref", f_n_para = list(iref = 3, cap_max = TRUE)),
  ConSpeed = gp_specs[["ConSpeed"]],
  Cov4G = sc_specs[["Cov4G"]],
  Goods = list(f_n = "n_fracmax"),
  Services = list(f_n = "n_dist2max"),
  FDI = list(f_n = "n_minmax", f_n_para = list(l_u = c(1, 10))),
  CostImpEx = list(f_n = "n_dist2targ", f_n_para = list(targ = target("CostImpEx"), cap_max = FALSE)),
  Tariff = list(f_n = "n_zscore", f_n_para = list(m_sd = c(0, 1))),
  TBTs = gp_specs[["TBTs"]],
  CO2 = list(f_n = "n_prank", f_n_para = list(ties.method = "average"))
)
num_csv(norm(global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))), indiv_specs = mixed),
        "normalise_asem_mixed.csv")
