package motoserver

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Calls that set up the AWS resources a test needs, straight over HTTP: much faster than one awscli
// process per resource. moto reads the service and region from the credential scope of the
// Authorization header and does not check signatures, so the requests are not signed.

// authorization is an Authorization header naming service in us-east-1, as moto routes by it.
func authorization(service string) string {
	return "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=0"
}

func send(t testing.TB, req *http.Request, service string) []byte {
	t.Helper()
	req.Header.Set("Authorization", authorization(service))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", service, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", service, err)
	}
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: HTTP %d: %s", service, req.Header.Get("X-Amz-Target")+req.URL.Path, resp.StatusCode, body)
	}
	return body
}

// Query makes a query-protocol call (IAM, STS, EC2, Elastic Load Balancing) and returns the XML
// answer. params are key, value pairs (EC2 lists as Name.1, query lists as Name.member.1).
func Query(t testing.TB, endpoint, service, version, action string, params ...string) string {
	t.Helper()
	v := url.Values{"Action": {action}, "Version": {version}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return string(send(t, req, service))
}

// JSON makes a JSON 1.1 call (target is the X-Amz-Target, e.g. secretsmanager.CreateSecret) and
// returns the decoded answer.
func JSON(t testing.TB, endpoint, service, target string, body any) map[string]any {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	return decode(t, send(t, req, service))
}

// REST makes a REST-JSON call (EFS) and returns the decoded answer.
func REST(t testing.TB, endpoint, service, method, path string, body any) map[string]any {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, endpoint+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return decode(t, send(t, req, service))
}

func decode(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
	}
	return m
}

// XMLValue returns the text of the first element called name in an XML answer.
func XMLValue(t testing.TB, answer, name string) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(answer))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no <%s> in %s", name, answer)
		}
		if se, isStart := tok.(xml.StartElement); isStart && se.Name.Local == name {
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
}
