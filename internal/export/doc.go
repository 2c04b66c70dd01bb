// Package export turns the answer of a GraphQL query into a table and
// writes it as CSV, XLSX, NDJSON or JSON, streaming as it pages through the
// list it exports.
//
// # Which list
//
// A Plan picks the list to export in the query: the first list of objects
// or connection met depth-first in the order of the selection (a connection
// being an object type with pageInfo whose selection asks for nodes or
// edges { node }), or the one that Request.Path names with dot-separated
// response keys ("incubator.startups"). A path may not cross another list.
// Each node of the list is one row. The fields around the list are left out
// of the query the plan runs (they would not be exported).
//
// # Columns
//
// Columns come from the query's selection, in the order fields first
// appear (fragments expanded, aliases used as names), not from the answer:
// every row has the same columns, whatever it holds. A scalar field is one
// column; the fields of a nested object are columns named with dots
// ("incubator.title"). Lists are joined into one cell:
//
//   - a list of scalars gives its values joined with "|"
//     ("thematiques" = "santé|emploi");
//   - a list of objects gives one column per leaf, each holding the values
//     of its elements joined with "|", one slot per element, empty for a
//     null, so that the i-th value of every column of the list belongs to
//     the same element ("sponsors.acronym" = "DINUM||ANCT" when the second
//     sponsor has no acronym); when every value is empty the cell is
//     empty;
//   - a list inside a list of objects is joined with "," within its
//     element's slot ("team.member.competences" = "Go,SQL|Design").
//
// Values are not escaped: a value that holds "|" or "," makes its cell
// ambiguous; NDJSON and JSON keep lists as arrays when that matters.
// With edges, the row is the node: the cursor and other edge fields are
// left out.
//
// # Formats
//
// CSV follows RFC 4180: UTF-8, "," between fields, CRLF at the end of
// every record, quotes where needed, a header row. The excel-fr dialect is
// what French Excel opens on a double-click: a UTF-8 byte-order mark, ";"
// between fields, CRLF, a decimal comma in non-integer numbers. In every
// dialect, text cells starting with "=", "+", "-", "@", tab or carriage
// return are prefixed with "'" so that a spreadsheet never reads them as
// formulas.
//
// NDJSON writes each node as the JSON object the API returned (nested
// objects and lists kept, fields in the selection's order), one per line;
// JSON writes the same objects as one array, streamed. Presets, whose
// columns are computed, write flat objects keyed by their column names.
//
// XLSX (through excelize's stream writer) types its cells: Int and Float
// fields are numbers, Date fields dates with a dd/mm/yyyy format, the rest
// text; joined lists are text. The header row is bold and frozen; column
// widths fit the header and the first page of rows, between 8 and 60
// characters. An XLSX file is a zip written at the end, so it is not
// streamed to the client, but its rows are kept on disk by excelize rather
// than in memory.
//
// # French and machine exports
//
// The excel-fr dialect and XLSX are for people reading French (see
// Writer.French and French): values of the enums with French labels
// (portfolio.EnumLabel: Phase, Domain, MissionStatus, Decision, Source,
// Accessibility, ReviewStatus, CommitteeState, AttendeeRole, AgendaState)
// are written as their labels, booleans « Oui » or « Non », dates
// DD/MM/YYYY (XLSX: date cells shown so), in joined lists too; a preset's
// headers are French (Column.Label) and its references to other records
// are names, with the slugs in columns of their own (Preset.French). A
// query's headers stay its response keys. RFC 4180 CSV, NDJSON and JSON
// are for scripts: machine names and the API's codes.
//
// # Paging and streaming
//
// A connection that takes first and after is read a page of PageSize
// (1,000) nodes at a time: the plan gives the connection
// first: $exportFirst and after: $exportAfter, asks for
// pageInfo { hasNextPage endCursor } under an alias kept out of the rows,
// and runs the query again until hasNextPage is false, writing and flushing
// each page's rows before reading the next. A first given in the query
// caps the number of rows (it is no longer a page size) and after is where
// the export starts; a connection asked with last or before, and a list
// that is not a connection, are read in one run. Only the first page asks
// for totalCount (for progress bars): counting can cost more than a page.
// When the server refuses the first page as too costly (COMPLEXITY_LIMIT),
// the page size is halved until it is accepted. Pages are separate reads:
// a write between two pages can shift rows, as with any paging. The work
// stops when the context is done (the client went away) or a write fails.
//
// # Rights
//
// Queries run through the same GraphQL handler as /graphql, with the
// caller's identity, so @auth applies: a field the caller may not read is
// null with a FORBIDDEN error, and the export writes an empty cell there
// and succeeds. Any other error in the first page, or a FORBIDDEN error on
// the exported list itself, fails the export before anything is written.
package export
