// Package stats holds the statistics soundmatch uses to rank losses:
// average ranks with ties, the Kruskal-Wallis H test, Spearman's ρ,
// Cliff's δ, Cohen's d, the bootstrap of the mean and the Scott-Knott
// effect-size-difference test (non-parametric "np" and parametric "p").
//
// gonum/stat has no rank tests, no effect sizes and no Scott-Knott
// clustering, so they are written here, following scipy.stats, R's stats
// package, the effsize package and the ScottKnottESD package. Each is
// checked in the tests against vectors produced by scipy and R (see
// testdata/NOTE.md).
//
// Functions return an error for input a user can cause: fewer than two
// groups, an empty group, a NaN value, data whose statistic is undefined.
//
// Products that feed a sum are rounded on their own, float64(a*b), so that
// arm64 and amd64 v3 builds, which would fuse them into multiply-adds,
// compute the same bits as amd64. For the same reason the regularized
// incomplete gamma and beta functions behind the p-values are our own
// (special.go) rather than gonum's mathext.
package stats
