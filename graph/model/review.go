package model

import "github.com/incubateurs/portfolio/internal/portfolio"

// Investment is the money of a portfolio: its FAST grants, computed with
// the portfolio's other figures, and the question (filter, date) that
// committeeBudgetEuros asks again over a period.
type Investment struct {
	Filter *portfolio.StartupFilter
	AsOf   portfolio.Date

	FastCount      int
	FastTotalEuros int
	ByPromotion    []*PromotionInvestment
	ByIncubator    []*IncubatorInvestment
	BySponsor      []*SponsorInvestment
}

// IncubatorInvestment is the FAST grants of one incubator's startups.
type IncubatorInvestment struct {
	IncubatorSlug string
	StartupCount  int
	AmountEuros   int
}

// SponsorInvestment is the FAST grants of the startups one organisation
// sponsors.
type SponsorInvestment struct {
	OrganisationSlug string
	StartupCount     int
	AmountEuros      int
}
