"""Go's standard library and apimachinery, byte for byte.

The one implementation of each Go behaviour the output depends on; every other layer calls it, and
this package imports nothing from the rest of kubectl_imagerepo. One concept a module:

- strconv: Quote, UnquoteChar (and client-go's UnquoteExtend), FormatFloat, ParseInt/ParseUint/Atoi,
  ParseFloat.
- fmt: `%v` and `%#v` of decoded JSON values, `%#U` of a rune.
- jsonenc: encoding/json output (Marshal, MarshalIndent, string and float encoding).
- jsondecode: json.Unmarshal's syntax and type errors; jsonstream: json.Decoder.Decode's errors.
- encoding: encoding/base64 decoding with Go's error offsets.
- url: net/url.Parse and its error texts, net.SplitHostPort, net.JoinHostPort; netip: netip.ParseAddr.
- filepath: path/filepath.Match.
- regexp: regexp/syntax error texts.
- unicode: unicode.IsPrint/IsSpace, strings.TrimSpace, Go's view of invalid UTF-8.
- durations: time.ParseDuration, Duration.String, kubectl's --request-timeout.
- ages: RFC 3339 timestamps and apimachinery's human durations.
- tabwriter: text/tabwriter as kubectl configures it for tables.
"""
