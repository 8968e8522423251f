package httpapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiv1"
)

// TestOpenAPIDescribesTheTrustTypes holds the schemas of the trust and
// safety bodies to the Go types the server writes: every field a body can
// carry (each filled, so that none is omitted) is a property of its
// schema, and every property is a field.
func TestOpenAPIDescribesTheTrustTypes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"User": &apiv1.User{}, "Review": &apiv1.Review{}, "ReportFiled": &apiv1.ReportFiled{}, "Subject": &apiv1.Subject{},
		"Snapshot": &apiv1.Snapshot{}, "Verdict": &apiv1.Verdict{}, "Case": &apiv1.Case{}, "CaseDetail": &apiv1.CaseDetail{},
		"Report": &apiv1.Report{}, "Strike": &apiv1.Strike{}, "Appeal": &apiv1.Appeal{}, "AuditEntry": &apiv1.AuditEntry{},
		"Spend": &apiv1.Spend{}, "NewInvitation": &apiv1.NewInvitation{}, "Invitation": &apiv1.Invitation{}, "Member": &apiv1.Member{},
		"Notification": &apiv1.Notification{}, "MarkRead": &apiv1.MarkRead{}, "Marked": &apiv1.Marked{}, "NotificationSettings": &apiv1.NotificationSettings{},
	} {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("openapi.json has no schema %s", name)
			continue
		}
		fill(reflect.ValueOf(v).Elem())
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(b, &fields); err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for k := range fields {
			got = append(got, k)
		}
		for k := range schema.Properties {
			want = append(want, k)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the type writes %v, the schema describes %v", name, got, want)
		}
	}
	for _, name := range []string{"Post", "Comment", "Character", "World"} {
		if _, ok := doc.Components.Schemas[name].Properties["review"]; !ok {
			t.Errorf("the schema %s has no review", name)
		}
	}
	if _, ok := doc.Components.Schemas["Status"].Properties["items_held"]; !ok {
		t.Error("the schema Status has no items_held")
	}
}

// fill gives every field of v a value that JSON does not omit.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Now()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.SetBytes([]byte(`{}`))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Bool:
		v.SetBool(true)
	}
}
