package sftest

import (
	"strings"
	"testing"
)

func TestParseSOQL(t *testing.T) {
	t.Parallel()
	contact := &Contact{ID: "003", Email: "Ada@Example.com", FirstName: "Ada", LastName: "Lovelace",
		Account: &Account{ID: "001", Name: "Ter%Co", Fields: map[string]any{"Plan__c": "Pro"}}}
	tests := []struct {
		q       string
		match   bool
		wantErr string
	}{
		{`SELECT Id FROM Contact WHERE Email = 'ada@example.com'`, true, ""},
		{`select id from contact where email = 'ADA@EXAMPLE.COM'`, true, ""},
		{`SELECT Id FROM Contact WHERE Email = 'x' OR Name LIKE '%'`, true, ""},
		{`SELECT Id FROM Contact WHERE Email = 'x\' OR Name LIKE \'%'`, false, ""},
		{`SELECT Id FROM Contact WHERE Account.Name LIKE 'Ter\%%'`, true, ""},
		{`SELECT Id FROM Contact WHERE Account.Name LIKE 'Ter\%'`, false, ""},
		{`SELECT Id FROM Contact WHERE Account.Name LIKE 'ter_co'`, true, ""},
		{`SELECT Id FROM Contact WHERE NOT (Email = 'x' AND Id != null)`, true, ""},
		{`SELECT Id FROM Contact WHERE Account.Plan__c = 'pro' AND LastName <> 'Byron'`, true, ""},
		{`SELECT Id FROM Contact WHERE Email = 'caf\u00e9'`, false, ""},
		{`SELECT Id FROM Contact WHERE Email = 'a\%'`, false, "invalid escape"},
		{`SELECT Id FROM Contact WHERE Email = 'a\q'`, false, "invalid escape"},
		{`SELECT Id FROM Contact WHERE Email = 'open`, false, "unterminated"},
		{`SELECT Id FROM Contact WHERE Email = 'a' --`, false, "unexpected"},
		{`SELECT Id FROM Contact WHERE Email = 'a'; DELETE`, false, "unexpected"},
		{`SELECT FROM Contact`, false, "unexpected"},
		{`SELECT Id FROM Contact LIMIT x`, false, "unexpected"},
	}
	for _, tc := range tests {
		q, err := ParseSOQL(tc.q)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSOQL(%s): err = %v, want %q", tc.q, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSOQL(%s): %v", tc.q, err)
			continue
		}
		if got := q.Where.eval(contact.getter()); got != tc.match {
			t.Errorf("%s matches = %v, want %v", tc.q, got, tc.match)
		}
	}
	q, err := ParseSOQL(`SELECT Id, Account.Name FROM Contact WHERE Email = 'caf\u00e9' ORDER BY LastModifiedDate DESC, Id LIMIT 5`)
	if err != nil || q.Limit != 5 || len(q.Order) != 2 || !q.Order[0].Desc || q.Comparisons()[0].Value != "café" || len(q.Fields) != 2 {
		t.Errorf("parsed %+v, %v", q, err)
	}
}
