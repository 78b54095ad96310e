package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/store"
)

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

// OpenAPI builds the OpenAPI 3.1 document from the route table, so it can
// never list a route that does not exist or miss one that does.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	schemas := map[string]any{}
	for _, rt := range s.router.routes {
		op := map[string]any{
			"summary":     rt.Doc.Summary,
			"operationId": operationID(rt),
		}
		if rt.Doc.Tag != "" {
			op["tags"] = []string{rt.Doc.Tag}
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			p := map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "integer"}}
			for _, d := range rt.Doc.Path {
				if d.Name == m[1] {
					p["schema"] = map[string]any{"type": d.Type}
					if d.Description != "" {
						p["description"] = d.Description
					}
				}
			}
			params = append(params, p)
		}
		for _, q := range rt.Doc.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Doc.Upload != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{
				"type": "object", "properties": map[string]any{rt.Doc.Upload: map[string]any{"type": "string", "format": "binary"}}}}}}
		}
		if rt.Doc.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Doc.Request), schemas)}}}
		}
		status := rt.Doc.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := map[string]any{"description": http.StatusText(status)}
		switch {
		case rt.Doc.Produces != "":
			resp["content"] = map[string]any{rt.Doc.Produces: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		case rt.Doc.Response != nil:
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Doc.Response), schemas)}}
		}
		responses := map[string]any{strconv.Itoa(status): resp}
		errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(errorBody{}), schemas)}}}
		add := func(code int, desc string) {
			e := map[string]any{"description": desc}
			for k, v := range errRef {
				e[k] = v
			}
			responses[strconv.Itoa(code)] = e
		}
		if rt.Access.Kind != AccessPublic {
			add(401, "Not signed in, or the session has ended")
			add(403, "Permission missing, CSRF token missing, or password change required")
		}
		if rt.Doc.Request != nil || len(rt.Doc.Query) > 0 {
			add(422, "Invalid input or a broken rule; details name each field or rule")
		}
		if strings.Contains(rt.Pattern, "{") {
			add(404, "Not found, or outside the caller's scope")
		}
		if rt.Method == "POST" || rt.Method == "PATCH" || rt.Method == "PUT" {
			add(409, "Conflict: stale version or duplicate")
		}
		op["responses"] = responses
		switch rt.Access.Kind {
		case AccessPublic:
			op["security"] = []any{}
		case AccessPerm:
			op["x-permission"] = string(rt.Access.Perm)
		}
		if paths[rt.Pattern] == nil {
			paths[rt.Pattern] = map[string]any{}
		}
		paths[rt.Pattern][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "EduGroup 集团化办学管理平台 API", "version": "v1",
			"description": "Cookie sessions (POST /api/v1/session) with an X-CSRF-Token header on writes, or Authorization: Bearer <API token>."},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
		"security": []any{map[string]any{"session": []any{}}, map[string]any{"bearer": []any{}}},
	}
}

func operationID(rt *Route) string {
	p := pathParam.ReplaceAllString(rt.Pattern, "by_$1")
	p = strings.NewReplacer("/api/v1/", "", "/", "_", "-", "_", ".", "_").Replace(p)
	return strings.ToLower(rt.Method) + "_" + strings.Trim(p, "_")
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(store.Date{})
)

// enumer is implemented by a named type whose values are a closed list (a
// status), so every field of that type is documented with the list.
type enumer interface{ EnumValues() []string }

var (
	enumerType    = reflect.TypeFor[enumer]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
)

// schemaOf describes a Go type as JSON Schema, naming structs as components.
// A pointer may be null; a slice or map is described by its elements (nil
// ones are written as null too, but the handlers are expected to send empty
// ones, and a field that may really be null says so with openapi:"nullable").
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	if t.Kind() == reflect.Pointer {
		return nullable(schemaOf(t.Elem(), schemas))
	}
	var sch map[string]any
	switch {
	case t == timeType:
		sch = map[string]any{"type": "string", "format": "date-time"}
	case t == dateType:
		// store.Date writes the zero date (not set) as null.
		sch = map[string]any{"type": []string{"string", "null"}, "format": "date"}
	}
	if sch != nil {
		return sch
	}
	switch t.Kind() {
	case reflect.String:
		sch = map[string]any{"type": "string"}
	case reflect.Bool:
		sch = map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		sch = map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		sch = map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		sch = map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		sch = map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Interface:
		return map[string]any{} // any JSON value
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := schemas[name]; !ok {
			schemas[name] = map[string]any{} // placeholder against recursion
			props := map[string]any{}
			var required []string
			// A struct with its own encoder (the exam analysis) writes
			// every field, omitempty or not, and a float without a value
			// (NaN) as null.
			custom := t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)
			structProps(t, props, &required, custom, schemas)
			obj := map[string]any{"type": "object", "properties": props}
			if len(required) > 0 {
				sort.Strings(required)
				obj["required"] = required
			}
			schemas[name] = obj
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	default:
		return map[string]any{}
	}
	if t.Implements(enumerType) {
		sch["enum"] = reflect.Zero(t).Interface().(enumer).EnumValues()
	}
	return sch
}

// nullable widens a schema to also allow null (OpenAPI 3.1 spelling).
func nullable(sch map[string]any) map[string]any {
	if ty, ok := sch["type"].(string); ok {
		out := map[string]any{}
		for k, v := range sch {
			out[k] = v
		}
		out["type"] = []string{ty, "null"}
		if e, ok := sch["enum"].([]string); ok {
			out["enum"] = append(append([]any{}, anySlice(e)...), nil)
		}
		return out
	}
	if _, ok := sch["type"]; ok || len(sch) == 0 {
		return sch // already nullable, or any value
	}
	return map[string]any{"anyOf": []any{sch, map[string]any{"type": "null"}}}
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// structProps adds the JSON properties of a struct's fields to props, and
// the names of those always written (no omitempty) to required; an embedded
// struct without a JSON name adds its own fields, as encoding/json writes
// them (a field of the outer struct wins over a promoted one). Field tags
// refine a property: enum:"a,b,c" lists the values a string takes,
// openapi:"nullable" marks a slice or map that may be written as null, and
// openapi:"notnull" a date the service never leaves unset.
func structProps(t reflect.Type, props map[string]any, required *[]string, custom bool, schemas map[string]any) {
	promoted := map[string]any{}
	var promotedReq []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		jn, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && jn == "" && ft.Kind() == reflect.Struct {
			structProps(ft, promoted, &promotedReq, custom, schemas)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		if jn == "" {
			jn = f.Name
		}
		sch := schemaOf(f.Type, schemas)
		if e := f.Tag.Get("enum"); e != "" {
			sch["enum"] = strings.Split(e, ",")
		}
		kind := f.Type.Kind()
		switch {
		case f.Tag.Get("openapi") == "nullable" || custom && isFloat(f.Type):
			sch = nullable(sch)
		case custom && (kind == reflect.Slice || kind == reflect.Array) && isFloat(f.Type.Elem()):
			sch = map[string]any{"type": "array", "items": nullable(schemaOf(f.Type.Elem(), schemas))}
		case f.Tag.Get("openapi") == "notnull" && f.Type == dateType:
			sch = map[string]any{"type": "string", "format": "date"}
		}
		props[jn] = sch
		// omitempty leaves out empty strings, numbers, slices, maps and nil
		// pointers, never a struct (a date is written as null instead).
		omitted := hasOpt(opts, "omitzero") || hasOpt(opts, "omitempty") && f.Type.Kind() != reflect.Struct
		if custom || !omitted {
			*required = append(*required, jn)
		}
	}
	for k, v := range promoted {
		if _, ok := props[k]; !ok {
			props[k] = v
			if slices.Contains(promotedReq, k) {
				*required = append(*required, k)
			}
		}
	}
}

func isFloat(t reflect.Type) bool { return t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32 }

func hasOpt(opts, name string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == name {
			return true
		}
	}
	return false
}

func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		// List[auth.User] -> List_User
		inner := name[i+1 : len(name)-1]
		if j := strings.LastIndexByte(inner, '.'); j >= 0 {
			inner = inner[j+1:]
		}
		name = name[:i] + "_" + inner
	}
	pkg := t.PkgPath()
	if j := strings.LastIndexByte(pkg, '/'); j >= 0 {
		pkg = pkg[j+1:]
	}
	if pkg == "web" || pkg == "" {
		return strings.ToUpper(name[:1]) + name[1:]
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + "." + name
}
