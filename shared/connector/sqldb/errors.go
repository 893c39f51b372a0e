package sqldb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// mapError classifies a pgx error into a *connector.Error. The SQLSTATE classes come
// from PostgreSQL's errcodes appendix.
func mapError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce // already classified (a password hook's failure)
	}
	e := &connector.Error{Tool: Tool, Op: op, Err: err}
	var pgErr *pgconn.PgError
	var scanErr pgx.ScanArgError
	var netErr net.Error
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		e.Kind = connector.KindNotFound
		e.Err = nil
	case errors.As(err, &pgErr):
		e.Code = pgErr.Code
		e.Kind = pgKind(pgErr.Code)
		// The server's message can quote the offending value (an email in a unique
		// violation's detail): keep the code and the constraint or column only.
		e.Err = fmt.Errorf("%s", pgErr.Code)
		if safeMessage(pgErr.Code) {
			e.Err = fmt.Errorf("%s: %s", pgErr.Code, pgErr.Message)
		}
		switch {
		case pgErr.ConstraintName != "":
			e.Field = pgErr.ConstraintName
		case pgErr.ColumnName != "":
			e.Field = pgErr.ColumnName
		}
		if e.Kind == connector.KindUnavailable && ctx.Err() != nil {
			e.Err = fmt.Errorf("%w: %s", ctx.Err(), pgErr.Code)
		}
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		e.Kind = connector.KindUnavailable
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			e.Err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
	case errors.As(err, &scanErr):
		// A column holds a type we cannot read (a view over a company's own schema,
		// say): name it.
		e.Kind = connector.KindInvalidResponse
		e.Field = scanErr.FieldName
		if e.Field == "" {
			e.Field = fmt.Sprintf("column %d", scanErr.ColumnIndex)
		}
		// The scan error can quote the stored value: keep its name only.
		e.Err = fmt.Errorf("cannot read column %q into its field", e.Field)
	case isConnectError(err), errors.As(err, &netErr), pgconn.SafeToRetry(err):
		e.Kind = connector.KindUnavailable
	default:
		e.Kind = connector.KindUnknown
	}
	return e
}

func isConnectError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// pgKind maps a SQLSTATE onto a connector.Kind.
func pgKind(code string) connector.Kind {
	switch {
	case code == "57014": // query_canceled: statement_timeout or a cancelled context
		return connector.KindUnavailable
	case code == "23505": // unique_violation
		return connector.KindConflict
	case code == "42501": // insufficient_privilege
		return connector.KindUnauthorized
	case strings.HasPrefix(code, "28"): // invalid authorization (bad password, no such role)
		return connector.KindUnauthorized
	case code == "3D000", // invalid_catalog_name: the database does not exist
		code == "3F000", // invalid_schema_name: the configured schema does not exist
		code == "42P01", // undefined_table: the database lacks the tables (Migrate not run)
		code == "42703": // undefined_column: a table or view of an older schema version
		// Configuration, not the user's input: to the conversation the tool is down,
		// and `switchboard check` shows the server's message.
		return connector.KindUnavailable
	case strings.HasPrefix(code, "08"), // connection exception
		strings.HasPrefix(code, "53"), // insufficient resources (too many connections)
		strings.HasPrefix(code, "57"), // operator intervention (shutdown, cannot connect now)
		strings.HasPrefix(code, "40"), // serialization failure, deadlock: worth a retry
		strings.HasPrefix(code, "58"): // system error (I/O)
		return connector.KindUnavailable
	case strings.HasPrefix(code, "22"), // data exception (value too long, bad encoding)
		strings.HasPrefix(code, "23"): // integrity constraint (check, not null)
		return connector.KindInvalidInput
	}
	return connector.KindUnknown
}

// safeMessage reports whether the server's message for code is about the setup, not
// about the data (class 22's messages quote the offending value, 23's details quote
// keys), so it can go into an error.
func safeMessage(code string) bool {
	for _, class := range []string{"08", "28", "3D", "3F", "42", "53", "57"} {
		if strings.HasPrefix(code, class) {
			return true
		}
	}
	return false
}
