package betagouv

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// parseReview reads what a portfolio review asks of a startup's record:
// its quality markers, co-incubation, old slugs and portfolio managers.
func parseReview(s *portfolio.Startup, m map[string]any, r *report) {
	s.SecurityHomologation = boolField(m, "mon_service_securise", r)
	s.RiskAnalysis = boolField(m, "analyse_risques", r)
	s.RiskAnalysisURL = str(m, "analyse_risques_url", "analyse_risques_url", r)
	s.Stats = boolField(m, "stats", r)
	if s.AccessibilityStatus != "" && s.Accessibility() == nil {
		r.warn("accessibility_status", "%q is none of « non conforme », « partiellement conforme », « totalement conforme »: kept as text, accessibility unknown",
			s.AccessibilityStatus)
	}
	s.CoIncubators = refList(m, "incubators", "incubators", r)
	s.RedirectFrom = refList(m, "redirect_from", "redirect_from", r)
	s.ContactDINUM = refList(m, "contact_dinum", "contact_dinum", r)
	s.ContactIncubator = refList(m, "contact_incubator", "contact_incubator", r)
}

// boolField reads a yes-or-no field: a YAML boolean, or the texts true,
// false, yes, no, oui, non. Absent or empty is nil; anything else is
// reported and read as nil.
func boolField(m map[string]any, key string, r *report) *bool {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	if b, ok := v.(bool); ok {
		return &b
	}
	s, ok := scalar(v)
	if !ok {
		r.warn(key, "is %s, not true or false: ignored", describe(v))
		return nil
	}
	switch strings.ToLower(s) {
	case "":
		return nil
	case "true", "yes", "oui":
		b := true
		return &b
	case "false", "no", "non":
		b := false
		return &b
	}
	r.warn(key, "%q is not true or false: ignored", s)
	return nil
}

var (
	// fastAmountRE finds the amount a fast event's comment states:
	// « Montant de 300 000€ pour la promotion 13 ». Digits may be grouped
	// by spaces (plain, no-break or narrow), underscores or dots.
	fastAmountRE = regexp.MustCompile(`(?i)montant\s+de\s+([0-9][0-9 \x{a0}\x{202f}_.]*[0-9]|[0-9])\s*(k?)\s*(?:€|euros?)`)
	// fastPromotionRE finds the promotion it states: « promotion 13 »,
	// « FAST 13 ».
	fastPromotionRE = regexp.MustCompile(`(?i)(?:promotion|fast)\s*n?°?\s*([0-9]{1,3})\b`)
)

// fastEventAmount returns the amount in euros a fast event's comment
// states, if it states one.
func fastEventAmount(comment string) (int64, bool) {
	m := fastAmountRE.FindStringSubmatch(comment)
	if m == nil {
		return 0, false
	}
	digits := strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, m[1])
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	if m[2] != "" {
		n *= 1000
	}
	return n, true
}

// fastEventPromotion returns the promotion a fast event's comment states,
// if it states one.
func fastEventPromotion(comment string) (int, bool) {
	m := fastPromotionRE.FindStringSubmatch(comment)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// checkFastEvents compares the startup's fast map, which is authoritative,
// with what its fast events state, and reports every disagreement (an
// amount or a promotion that differs, a grant the map does not record),
// with both values. The events are read as they stand: the problems of
// their shape are parseEvents's to report.
func checkFastEvents(fast *portfolio.Fast, m map[string]any, r *report) {
	list, _ := m["events"].([]any)
	for i, it := range list {
		ev, ok := asMap(it)
		if !ok {
			continue
		}
		if name, _ := scalar(ev["name"]); strings.ToLower(name) != "fast" {
			continue
		}
		comment, _ := scalar(ev["comment"])
		comment = decodeEntities(comment) // « 300&nbsp;000 € » reads as the stored comment does
		field := fmt.Sprintf("events[%d].comment", i)
		amount, hasAmount := fastEventAmount(comment)
		promo, hasPromo := fastEventPromotion(comment)
		if fast == nil {
			if hasAmount {
				r.warn(field, "the fast event states %d €, but the record has no fast map: no FAST grant recorded", amount)
			}
			continue
		}
		if hasAmount && amount != fast.AmountEuros {
			r.warn(field, "the fast event states %d €, the fast map %d € (promotion %d): the map's amount is kept", amount, fast.AmountEuros, fast.Promotion)
		}
		if hasPromo && promo != fast.Promotion {
			r.warn(field, "the fast event states promotion %d, the fast map promotion %d: the map's promotion is kept", promo, fast.Promotion)
		}
	}
}

// checkReviewRefs checks the references of a startup's review fields: the
// incubators of a co-incubation and the members who follow it. Unknown
// ones are reported and dropped; the main incubator is not repeated among
// the co-incubators.
func checkReviewRefs(s *portfolio.Startup, incubators, members map[string]bool, add func(Problem)) {
	co := checkRefs(s.CoIncubators, incubators, "incubators", "incubator", add)
	s.CoIncubators = nil
	for _, c := range co {
		if c != s.IncubatorSlug {
			s.CoIncubators = append(s.CoIncubators, c)
		}
	}
	s.ContactDINUM = checkRefs(s.ContactDINUM, members, "contact_dinum", "member", add)
	s.ContactIncubator = checkRefs(s.ContactIncubator, members, "contact_incubator", "member", add)
}

// checkFormerSlugs reports the old slugs (redirect_from) that cannot lead
// to their startup: one that is another startup's own slug, and one that
// two startups claim (the first by slug keeps it). startups are sorted by
// slug.
func checkFormerSlugs(startups []*startupRec, add func(file string) func(Problem)) {
	own := map[string]bool{}
	for _, st := range startups {
		own[st.Slug] = true
	}
	first := map[string]string{}
	for _, st := range startups {
		report := add(st.file)
		for _, old := range st.RedirectFrom {
			switch f, claimed := first[old]; {
			case old == st.Slug:
			case own[old]:
				report(Problem{Field: "redirect_from", Reason: fmt.Sprintf("%q is the slug of another startup: startup(slug: %q) finds that one", old, old)})
			case claimed:
				report(Problem{Field: "redirect_from", Reason: fmt.Sprintf("%q is also an old slug of %s: startup(slug: %q) finds %s", old, f, old, f)})
			default:
				first[old] = st.Slug
			}
		}
	}
}
