package review

// The queries the benchmarks of package review_test run on their own.

// CommitteeAgendaQuery is the query of the agenda's committees planned and
// due.
var CommitteeAgendaQuery = committeeAgendaSection.Query
