package export_test

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/incubateurs/portfolio/internal/export"
)

// The French a French office reads, written out here rather than taken
// from the code under test.
var (
	phaseFR = map[string]string{
		"INVESTIGATION": "Investigation", "CONSTRUCTION": "Construction", "ACCELERATION": "Accélération",
		"CONSOLIDATION": "En consolidation", "TRANSFERRED": "Transféré", "OPERATED": "Opéré au sein du réseau",
		"ABANDONED": "Service arrêté", "INVESTIGATION_ABANDONED": "Investigation non concluante",
	}
	decisionFR = map[string]string{
		"CONTINUE": "Poursuite", "ADJUST": "Ajustement", "ADVANCE": "Passage", "STOP": "Arrêt",
		"TRANSFER": "Transfert", "UNSPECIFIED": "Non précisé",
	}
	statusFR = map[string]string{"ADMIN": "Agent public", "INDEPENDENT": "Indépendant", "SERVICE": "Prestataire"}
	domainFR = map[string]string{
		"DEVELOPMENT": "Développement", "DESIGN": "Design", "COACHING": "Coaching", "PRODUCT": "Produit",
		"DEPLOYMENT": "Déploiement", "DATA": "Data", "INTRAPRENEURSHIP": "Intraprenariat", "ANIMATION": "Animation",
		"SUPPORT": "Support", "OTHER": "Autre", "ATTRIBUTAIRE": "Attributaire",
	}
	sourceFR = map[string]string{"IMPORTED": "Importé", "RECORDED": "Saisi dans l'outil"}
	boolFR   = map[string]string{"true": "Oui", "false": "Non"}
	accessFR = map[string]string{"NOT_COMPLIANT": "Non conforme", "PARTIALLY_COMPLIANT": "Partiellement conforme", "FULLY_COMPLIANT": "Totalement conforme"}
	reviewFR = map[string]string{"OVERDUE": "En retard", "NONE_RECORDED": "Aucun comité enregistré", "DUE_SOON": "Bientôt dû", "UP_TO_DATE": "À jour"}
	eventFR  = map[string]string{
		"committee": "Comité d'investissement", "product_launch": "Lancement du produit", "national_impact": "Service à impact national",
		"fast": "FAST", "end": "Fin de l'accompagnement", "eig": "Entrepreneurs d'intérêt général", "other": "Autre",
	}
	investmentFR = map[string]string{"FAST": "Subvention FAST", "COMMITTEE_BUDGET": "Budget de comité d'investissement"}
)

// frDate writes an ISO date as French Excel reads it.
func frDate(iso string) string {
	if iso == "" {
		return ""
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

// mapList maps each value of a list joined with "|".
func mapList(m map[string]string, v string) string {
	if v == "" {
		return ""
	}
	parts := strings.Split(v, "|")
	for i, p := range parts {
		if p != "" {
			parts[i] = m[p]
		}
	}
	return strings.Join(parts, "|")
}

// tables exports a path as RFC 4180 CSV, excel-fr CSV and XLSX (as a
// viewer) and reads each back as records, header first; XLSX cells as
// Excel shows them.
func tables(t *testing.T, path func(file string, kv ...string) string) (machine, excel, xlsx [][]string) {
	t.Helper()
	get := func(p string) []byte {
		resp, body := shared.get(t, p, shared.viewer)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", p, resp.StatusCode, body)
		}
		return body
	}
	var err error
	if machine, err = readCSV(string(get(path("csv"))), ','); err != nil {
		t.Fatal(err)
	}
	fr := get(path("csv", "dialect", "excel-fr"))
	if !bytes.HasPrefix(fr, []byte("\uFEFF")) {
		t.Fatal("excel-fr without a BOM")
	}
	if excel, err = readCSV(string(fr[3:]), ';'); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(get(path("xlsx"))))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if xlsx, err = f.GetRows(f.GetSheetName(0)); err != nil {
		t.Fatal(err)
	}
	for i := range xlsx { // GetRows drops trailing empty cells
		for len(xlsx[i]) < len(xlsx[0]) {
			xlsx[i] = append(xlsx[i], "")
		}
	}
	if len(machine) < 3 || len(excel) != len(machine) || len(xlsx) != len(machine) {
		t.Fatalf("%d, %d and %d records", len(machine), len(excel), len(xlsx))
	}
	return machine, excel, xlsx
}

// byHeader returns the value of a record under a header.
func byHeader(t *testing.T, header, rec []string, name string) string {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, header)
	}
	return rec[i]
}

// TestFrenchQueryExport checks that a query's export is French in excel-fr
// and XLSX (enum values by their labels, Oui/Non, DD/MM/YYYY dates), with
// the query's response keys as headers, while RFC 4180 CSV keeps the codes.
func TestFrenchQueryExport(t *testing.T) {
	path := func(format string, kv ...string) string {
		return exportURL(startupsQuery, append([]string{"format", format}, kv...)...)
	}
	machine, excel, xlsx := tables(t, path)
	for _, fr := range [][][]string{excel, xlsx} {
		if !slices.Equal(fr[0], machine[0]) {
			t.Errorf("headers %q, want the response keys %q", fr[0], machine[0])
		}
	}
	h := machine[0]
	seen := map[string]bool{}
	for i := 1; i < len(machine); i++ {
		m := func(col string) string { return byHeader(t, h, machine[i], col) }
		if _, ok := phaseFR[m("phase")]; !ok {
			t.Fatalf("row %d: RFC 4180 phase %q is not a code", i, m("phase"))
		}
		if m("committeeOverdue") != "true" && m("committeeOverdue") != "false" {
			t.Fatalf("row %d: RFC 4180 committeeOverdue %q", i, m("committeeOverdue"))
		}
		want := map[string]string{
			"slug": m("slug"), "name": m("name"), "incubator.title": m("incubator.title"), "teamSize": m("teamSize"),
			"phase":                  phaseFR[m("phase")],
			"currentPhase.start":     frDate(m("currentPhase.start")),
			"committeeOverdue":       boolFR[m("committeeOverdue")],
			"team.status":            mapList(statusFR, m("team.status")),
			"lastCommittee.date":     frDate(m("lastCommittee.date")),
			"lastCommittee.decision": decisionFR[m("lastCommittee.decision")],
		}
		for name, fr := range map[string][][]string{"excel-fr": excel, "xlsx": xlsx} {
			for col, w := range want {
				if got := byHeader(t, h, fr[i], col); got != w {
					t.Errorf("%s row %d %s = %q, want %q (RFC 4180: %q)", name, i, col, got, w, m(col))
				}
			}
		}
		seen[m("committeeOverdue")] = true
		seen["status"] = seen["status"] || m("team.status") != ""
		seen["decision"] = seen["decision"] || m("lastCommittee.decision") != ""
	}
	if len(seen) != 4 {
		t.Errorf("the query's rows do not cover both booleans, statuses and decisions: %v", seen)
	}
}

// Headers of the ready-made exports: machine names (RFC 4180 CSV, NDJSON,
// JSON) and French (excel-fr CSV, XLSX).
var presetHeaders = map[string][2][]string{
	"startups": {
		{"slug", "name", "incubator", "sponsors", "phase", "phase_start", "team_size", "team_admin", "team_independent", "team_service", "last_committee", "last_decision",
			"next_committee_due", "review_status", "incubated_since", "intrapreneurs", "fast_promotion", "fast_euros", "security_homologation", "risk_analysis", "accessibility",
			"stats_url", "portfolio_managers", "phase_source_name"},
		{"Startup", "Incubateur", "Sponsors", "Phase", "Date de début de phase", "Taille de l'équipe", "Agents publics", "Indépendants", "Prestataires", "Dernier comité", "Décision du dernier comité",
			"Prochain comité dû", "Suivi des comités", "En incubation depuis", "Intrapreneurs", "Promotion FAST", "Subvention FAST (€)", "Homologation de sécurité", "Analyse de risques",
			"Accessibilité", "Page de statistiques", "Responsables de portefeuille",
			"Startup (identifiant)", "Incubateur (identifiant)", "Sponsors (identifiants)", "Intrapreneurs (identifiants)", "Responsables de portefeuille (identifiants)",
			"Phase (nom dans la fiche)"},
	},
	"investment": {
		{"kind", "startup", "startup_name", "incubator", "sponsors", "promotion", "date", "decision", "amount_euros"},
		{"Nature", "Startup", "Incubateur", "Sponsors", "Promotion FAST", "Date du comité", "Décision du comité", "Montant (€)", "Startup (identifiant)", "Incubateur (identifiant)", "Sponsors (identifiants)"},
	},
	"events": {
		{"date", "kind", "startup", "startup_name", "incubator", "decision", "comment"},
		{"Date", "Événement", "Startup", "Incubateur", "Décision du comité", "Commentaire", "Startup (identifiant)", "Incubateur (identifiant)"},
	},
	"members": {
		{"slug", "fullname", "role", "domain", "active", "startups", "mission_start", "mission_end", "mission_status", "mission_employer"},
		{"Membre", "Rôle", "Domaine", "En mission", "Startups", "Début de mission", "Fin de mission", "Statut de mission", "Employeur", "Membre (identifiant)", "Startups (identifiants)"},
	},
	"committees": {
		{"startup", "startup_name", "incubator", "date", "decision", "next_phase", "budget_euros", "next_committee_due", "comment", "source"},
		{"Startup", "Incubateur", "Date", "Décision", "Phase suivante", "Budget (€)", "Prochain comité dû", "Commentaire", "Origine", "Startup (identifiant)", "Incubateur (identifiant)"},
	},
}

// TestPresetsInBothNamings checks, for each ready-made export, the headers
// of both namings, that the French one loses no column, and each French
// cell against its RFC 4180 counterpart: names where the machine has
// slugs (from the API, read apart), French labels where it has codes.
func TestPresetsInBothNamings(t *testing.T) {
	var d struct {
		Incubators struct {
			Nodes []struct{ Slug, Title string }
		}
		Organisations struct{ Nodes []struct{ Slug, Name string } }
		Startups      struct {
			Nodes []struct {
				Slug, Name        string
				PortfolioManagers []struct{ Slug, Fullname string }
				Intrapreneurs     []struct{ Slug, Fullname string }
			}
		}
	}
	shared.graphql(t, `{ incubators(first: 1000) { nodes { slug title } } organisations(first: 1000) { nodes { slug name } }
		startups(first: 1000) { nodes { slug name portfolioManagers { slug fullname } intrapreneurs(asOf: "2026-06-30") { slug fullname } } } }`, &d)
	incubators, orgs, startups, people := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	for _, n := range d.Incubators.Nodes {
		incubators[n.Slug] = n.Title
	}
	for _, n := range d.Organisations.Nodes {
		orgs[n.Slug] = n.Name
	}
	for _, n := range d.Startups.Nodes {
		startups[n.Slug] = n.Name
		for _, m := range append(n.PortfolioManagers, n.Intrapreneurs...) {
			people[m.Slug] = m.Fullname
		}
	}
	followed, withIntrapreneur, statuses := 0, 0, map[string]int{}
	inc := firstIncubator(t)
	for name, headers := range presetHeaders {
		t.Run(name, func(t *testing.T) {
			pr := export.PresetNamed(name)
			for _, c := range pr.Columns {
				if !slices.ContainsFunc(pr.French, func(f export.Column) bool { return f.Name == c.Name }) {
					t.Errorf("the French %s export has no column for %s", name, c.Name)
				}
			}
			params := url.Values{"asOf": {"2026-06-30"}, "incubators": {inc}}
			switch name {
			case "members":
				params.Set("active", "true")
			case "committees": // those of every incubator since March: every decision
				params = url.Values{"asOf": {"2026-06-30"}, "from": {"2026-03-01"}}
			case "startups": // active ones of every incubator: portfolio managers, FAST grants
				params = url.Values{"asOf": {"2026-06-30"}, "active": {"true"}}
			case "investment": // every FAST grant, and the budgets of 2025
				params = url.Values{"asOf": {"2026-06-30"}, "from": {"2025-01-01"}, "to": {"2025-12-31"}}
			case "events": // every kind since 2025
				params = url.Values{"asOf": {"2026-06-30"}, "from": {"2025-01-01"}}
			}
			path := func(format string, kv ...string) string {
				v := url.Values{}
				for k, x := range params {
					v[k] = x
				}
				for i := 0; i+1 < len(kv); i += 2 {
					v.Set(kv[i], kv[i+1])
				}
				return "/export/" + name + "." + format + "?" + v.Encode()
			}
			machine, excel, xlsx := tables(t, path)
			if !slices.Equal(machine[0], headers[0]) {
				t.Errorf("RFC 4180 header %q, want %q", machine[0], headers[0])
			}
			for label, fr := range map[string][][]string{"excel-fr": excel, "xlsx": xlsx} {
				if !slices.Equal(fr[0], headers[1]) {
					t.Errorf("%s header %q, want %q", label, fr[0], headers[1])
				}
			}
			for i := 1; i < len(machine); i++ {
				m := func(col string) string { return byHeader(t, machine[0], machine[i], col) }
				var want map[string]string
				switch name {
				case "startups":
					want = map[string]string{
						"Startup": m("name"), "Startup (identifiant)": m("slug"),
						"Incubateur": incubators[m("incubator")], "Incubateur (identifiant)": m("incubator"),
						"Sponsors": mapList(orgs, m("sponsors")), "Sponsors (identifiants)": m("sponsors"),
						"Phase": phaseFR[m("phase")], "Date de début de phase": frDate(m("phase_start")),
						"Taille de l'équipe": m("team_size"), "Agents publics": m("team_admin"),
						"Indépendants": m("team_independent"), "Prestataires": m("team_service"),
						"Dernier comité": frDate(m("last_committee")), "Décision du dernier comité": decisionFR[m("last_decision")],
						"Prochain comité dû": frDate(m("next_committee_due")), "Suivi des comités": reviewFR[m("review_status")],
						"En incubation depuis": frDate(m("incubated_since")),
						"Intrapreneurs":        mapList(people, m("intrapreneurs")), "Intrapreneurs (identifiants)": m("intrapreneurs"),
						"Promotion FAST":      m("fast_promotion"),
						"Subvention FAST (€)": m("fast_euros"), "Homologation de sécurité": boolFR[m("security_homologation")],
						"Analyse de risques": boolFR[m("risk_analysis")], "Accessibilité": accessFR[m("accessibility")],
						"Page de statistiques": m("stats_url"), "Responsables de portefeuille": mapList(people, m("portfolio_managers")),
						"Responsables de portefeuille (identifiants)": m("portfolio_managers"),
						"Phase (nom dans la fiche)":                   m("phase_source_name"),
					}
					if m("portfolio_managers") != "" {
						followed++
					}
					statuses[m("review_status")]++
					if m("intrapreneurs") != "" {
						withIntrapreneur++
					}
				case "members":
					want = map[string]string{
						"Membre": m("fullname"), "Membre (identifiant)": m("slug"), "Rôle": m("role"),
						"Domaine": domainFR[m("domain")], "En mission": boolFR[m("active")],
						"Startups": mapList(startups, m("startups")), "Startups (identifiants)": m("startups"),
						"Début de mission": frDate(m("mission_start")), "Fin de mission": frDate(m("mission_end")),
						"Statut de mission": statusFR[m("mission_status")], "Employeur": m("mission_employer"),
					}
				case "committees":
					want = map[string]string{
						"Startup": m("startup_name"), "Startup (identifiant)": m("startup"),
						"Incubateur": incubators[m("incubator")], "Incubateur (identifiant)": m("incubator"),
						"Date": frDate(m("date")), "Décision": decisionFR[m("decision")], "Phase suivante": phaseFR[m("next_phase")],
						"Budget (€)": m("budget_euros"), "Prochain comité dû": frDate(m("next_committee_due")),
						"Commentaire": m("comment"), "Origine": sourceFR[m("source")],
					}
				case "investment":
					want = map[string]string{
						"Nature": investmentFR[m("kind")], "Startup": m("startup_name"), "Startup (identifiant)": m("startup"),
						"Incubateur": incubators[m("incubator")], "Incubateur (identifiant)": m("incubator"),
						"Sponsors": mapList(orgs, m("sponsors")), "Sponsors (identifiants)": m("sponsors"),
						"Promotion FAST": m("promotion"), "Date du comité": frDate(m("date")), "Décision du comité": decisionFR[m("decision")],
						"Montant (€)": m("amount_euros"),
					}
				case "events":
					want = map[string]string{
						"Date": frDate(m("date")), "Événement": eventFR[m("kind")], "Startup": m("startup_name"), "Startup (identifiant)": m("startup"),
						"Incubateur": incubators[m("incubator")], "Incubateur (identifiant)": m("incubator"),
						"Décision du comité": decisionFR[m("decision")], "Commentaire": m("comment"),
					}
				}
				if len(want) != len(headers[1]) {
					t.Fatalf("the test checks %d columns of %d", len(want), len(headers[1]))
				}
				for label, fr := range map[string][][]string{"excel-fr": excel, "xlsx": xlsx} {
					for col, w := range want {
						got := byHeader(t, fr[0], fr[i], col)
						if label == "excel-fr" && strings.HasPrefix(got, "'") && !strings.HasPrefix(w, "'") {
							got = got[1:] // a formula-like text, defused
						}
						if got != w {
							t.Errorf("%s row %d %s = %q, want %q", label, i, col, got, w)
						}
					}
				}
			}
		})
	}
	if followed == 0 {
		t.Error("no startup of the startups export has a portfolio manager: the check of those columns is vacuous")
	}
	if withIntrapreneur == 0 || len(statuses) < 4 {
		t.Errorf("the startups export's intrapreneurs (%d) or review statuses (%v) are too few to check", withIntrapreneur, statuses)
	}
}

// TestCommitteesNextDue checks the committees export's next_committee_due:
// the API's Committee.nextDue, the date the committee recorded, else 183
// days after it, whatever it decided (DESIGN.md, "Next committee due at
// D"; the rule's table of cases is internal/sqlite's ruleCases), never a
// second computation of the export's.
func TestCommitteesNextDue(t *testing.T) {
	var d struct {
		Committees struct {
			Nodes []struct {
				Date, Decision   string
				NextCommitteeDue *string
				NextDue          string
				Startup          struct{ Slug string }
			}
		}
	}
	shared.graphql(t, `{ committees(first: 1000, filter: {from: "2025-01-01"}) { nodes { date decision nextCommitteeDue nextDue startup { slug } } } }`, &d)
	due := map[string]string{}
	recorded, ending := 0, 0
	for _, c := range d.Committees.Nodes {
		due[c.Startup.Slug+"/"+c.Date] = c.NextDue
		if c.NextCommitteeDue != nil {
			recorded++
			if c.NextDue != *c.NextCommitteeDue {
				t.Errorf("%s/%s: nextDue %s, recorded %s", c.Startup.Slug, c.Date, c.NextDue, *c.NextCommitteeDue)
			}
		}
		if c.Decision == "STOP" || c.Decision == "TRANSFER" {
			ending++
		}
	}
	_, rows := csvRecords(t, "/export/committees.csv?from=2025-01-01", shared.viewer)
	if len(rows) != len(d.Committees.Nodes) {
		t.Fatalf("%d rows, %d committees", len(rows), len(d.Committees.Nodes))
	}
	for _, r := range rows {
		if want := due[r["startup"]+"/"+r["date"]]; r["next_committee_due"] != want || want == "" {
			t.Errorf("%s/%s (%s): next_committee_due %q, the API's nextDue %q", r["startup"], r["date"], r["decision"], r["next_committee_due"], want)
		}
	}
	if ending == 0 {
		t.Errorf("no committee decides a stop or a transfer: the check of those rows is vacuous (%d recorded a date)", recorded)
	}
}
