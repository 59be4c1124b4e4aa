package txt

import (
	"encoding/json"
	"os"
	"testing"
)

// vectors is testdata/txt-vectors.json: outputs of upstream's own functions,
// copied from shared/compat so that these tests pin exodns to them.
type vectors struct {
	Meta struct {
		OwnerID string `json:"owner_id"`
	} `json:"meta"`
	TXTNames []struct {
		ID    string `json:"id"`
		Input struct {
			Name                string `json:"name"`
			RecordType          string `json:"record_type"`
			Prefix              string `json:"prefix"`
			Suffix              string `json:"suffix"`
			WildcardReplacement string `json:"wildcard_replacement"`
		} `json:"input"`
		TXTName string `json:"txt_name"`
		Reverse struct {
			EndpointName string `json:"endpoint_name"`
			RecordType   string `json:"record_type"`
		} `json:"reverse"`
		RegistryChecked bool `json:"registry_checked"`
	} `json:"txt_names"`
	Labels []struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
		// serialize
		Labels          map[string]string `json:"labels"`
		SerializedPlain string            `json:"serialized_plain"`
		TXTValue        string            `json:"txt_value"`
		ParsedBack      map[string]string `json:"parsed_back"`
		// parse
		Input  string            `json:"input"`
		Result map[string]string `json:"result"`
		Error  *string           `json:"error"`
	} `json:"labels"`
	Encryption []struct {
		ID                   string            `json:"id"`
		KeyRaw               string            `json:"key_raw"`
		KeyBase64            string            `json:"key_base64"`
		NonceBase64          string            `json:"nonce_base64"`
		Labels               map[string]string `json:"labels"`
		Plaintext            string            `json:"plaintext"`
		Ciphertext           string            `json:"ciphertext"`
		TXTValue             string            `json:"txt_value"`
		DecryptedPlaintext   string            `json:"decrypted_plaintext"`
		DecryptedNonceBase64 string            `json:"decrypted_nonce_base64"`
		ParsedLabels         map[string]string `json:"parsed_labels"`
		CompressedHex        string            `json:"compressed_hex"`
	} `json:"encryption"`
}

func loadVectors(t testing.TB) *vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/txt-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.TXTNames) != 88 || len(v.Labels) != 29 || len(v.Encryption) != 4 {
		t.Fatalf("vectors: %d names, %d labels, %d encryption; want 88, 29, 4", len(v.TXTNames), len(v.Labels), len(v.Encryption))
	}
	return &v
}
