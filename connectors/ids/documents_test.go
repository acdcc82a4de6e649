package ids

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ, in, want string
		err                 error
	}{
		// 居民身份证: exactly ResidentID.
		{"resident", DocResident, "510107199003071236", "510107199003071236", nil},
		{"resident lower-case x", DocResident, "11010519491231002x", "11010519491231002X", nil},
		{"resident check digit", DocResident, "510107199003071235", "", ErrCheck},
		{"resident birth date", DocResident, "110105199902290013", "", ErrBirthDate},
		{"resident 15 digits", DocResident, "510107900307123", "", ErrLength},

		// 港澳居民来往内地通行证
		{"Hong Kong card", DocHKMacao, "H12345678", "H12345678", nil},
		{"Macao card", DocHKMacao, "M87654321", "M87654321", nil},
		{"Hong Kong booklet", DocHKMacao, "H1234567890", "H1234567890", nil},
		{"lower case, spaces, hyphen", DocHKMacao, " h1234-5678 ", "H12345678", nil},
		{"full-width", DocHKMacao, "Ｈ１２３４５６７８", "H12345678", nil},
		{"HK 9 digits", DocHKMacao, "H123456789", "", ErrLength},
		{"HK 7 digits", DocHKMacao, "H1234567", "", ErrLength},
		{"HK empty", DocHKMacao, "", "", ErrLength},
		{"HK letter other than H or M", DocHKMacao, "K12345678", "", ErrCharacter},
		{"HK no letter", DocHKMacao, "123456789", "", ErrCharacter},
		{"HK letter in digits", DocHKMacao, "H1234567A", "", ErrCharacter},
		{"HK non-ASCII", DocHKMacao, "H1234567中", "", ErrCharacter},

		// 台湾居民来往大陆通行证
		{"Taiwan card", DocTaiwan, "12345678", "12345678", nil},
		{"Taiwan 10 digits", DocTaiwan, "1234567801", "1234567801", nil},
		{"Taiwan issue count in parentheses", DocTaiwan, "12345678(01)", "1234567801", nil},
		{"Taiwan full-width parentheses and space", DocTaiwan, "12345678 （02）", "1234567802", nil},
		{"Taiwan 9 digits", DocTaiwan, "123456789", "", ErrLength},
		{"Taiwan 1-digit issue count", DocTaiwan, "12345678(1)", "", ErrLength},
		{"Taiwan parentheses misplaced", DocTaiwan, "1234567(801)", "", ErrLength},
		{"Taiwan parentheses, 10 characters", DocTaiwan, "123456(01)", "", ErrCharacter},
		{"Taiwan letter", DocTaiwan, "1234567A", "", ErrCharacter},
		{"Taiwan HK-style number", DocTaiwan, "T12345678", "", ErrLength},

		// 外国人永久居留身份证
		{"foreign 2017/2023 card", DocForeignPermanent, "911156199001010010", "911156199001010010", nil},
		{"foreign card, X where a digit is due", DocForeignPermanent, "93115619900101002x", "", ErrCheck},
		{"foreign card, check 2", DocForeignPermanent, "931156199001010022", "931156199001010022", nil},
		{"foreign card, check character x", DocForeignPermanent, "91184019850615002x", "91184019850615002X", nil},
		{"foreign card, birth date not checked", DocForeignPermanent, withCheck("91184099999999001"), withCheck("91184099999999001"), nil},
		{"foreign card spaces", DocForeignPermanent, "911156 19900101 0010", "911156199001010010", nil},
		{"foreign 2004 card", DocForeignPermanent, "USA110019900101", "USA110019900101", nil},
		{"foreign 2004 card lower case", DocForeignPermanent, "usa110019900101", "USA110019900101", nil},
		{"foreign check wrong", DocForeignPermanent, "911156199001010011", "", ErrCheck},
		{"foreign resident ID number", DocForeignPermanent, "510107199003071236", "", ErrCharacter},
		{"foreign X inside", DocForeignPermanent, "9111561990010100X0", "", ErrCharacter},
		{"foreign letter last", DocForeignPermanent, "91115619900101001A", "", ErrCharacter},
		{"foreign 2004 digit in nationality", DocForeignPermanent, "US1110019900101", "", ErrCharacter},
		{"foreign 2004 letter in digits", DocForeignPermanent, "USA11001990010A", "", ErrCharacter},
		{"foreign 17 characters", DocForeignPermanent, "91115619900101001", "", ErrLength},
		{"foreign 16 characters", DocForeignPermanent, "USA1100199001011", "", ErrLength},

		// 护照
		{"Chinese passport E+8", DocPassport, "E12345678", "E12345678", nil},
		{"Chinese passport E+letter+7", DocPassport, "EA1234567", "EA1234567", nil},
		{"Chinese passport with spaces", DocPassport, " e1234 5678 ", "E12345678", nil},
		{"foreign passport", DocPassport, "C01X00T47", "C01X00T47", nil},
		{"5 characters", DocPassport, "AB123", "AB123", nil},
		{"17 characters", DocPassport, "ABCDEFGHIJKLMNOP1", "ABCDEFGHIJKLMNOP1", nil},
		{"digits only", DocPassport, "123456789", "123456789", nil},
		{"hyphen dropped", DocPassport, "AB-12345", "AB12345", nil},
		{"4 characters", DocPassport, "AB12", "", ErrLength},
		{"18 characters", DocPassport, "ABCDEFGHIJKLMNOP12", "", ErrLength},
		{"passport empty", DocPassport, "", "", ErrLength},
		{"no digit", DocPassport, "ABCDEFGH", "", ErrCharacter},
		{"punctuation", DocPassport, "E1234567.", "", ErrCharacter},
		{"MRZ filler", DocPassport, "E1234567<", "", ErrCharacter},
		{"Cyrillic", DocPassport, "Е12345678", "", ErrCharacter},

		{"unknown type", "护照", "E12345678", "", ErrUnknownDocType},
		{"type case matters", "Passport", "E12345678", "", ErrUnknownDocType},
		{"empty type", "", "510107199003071236", "", ErrUnknownDocType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Document(tt.typ, tt.in)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("Document(%q, %q) error = %v, want %v", tt.typ, tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Document(%q, %q) = %q, want %q", tt.typ, tt.in, got, tt.want)
			}
			if err != nil {
				if n := strings.TrimSpace(tt.in); len(n) >= 5 && strings.Contains(err.Error(), n) {
					t.Errorf("error %q repeats the number", err)
				}
				return
			}
			if again, err := Document(tt.typ, got); err != nil || again != got {
				t.Errorf("Document(%q, %q) = %q, %v; not stable", tt.typ, got, again, err)
			}
		})
	}
}

func TestDocumentUnknownTypeListsTheTypes(t *testing.T) {
	t.Parallel()
	_, err := Document("id_card", "510107199003071236")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, typ := range DocTypes {
		if !strings.Contains(err.Error(), typ) {
			t.Errorf("error %q does not name %s", err, typ)
		}
	}
	if strings.Contains(err.Error(), "id_card") || strings.Contains(err.Error(), "510107") {
		t.Errorf("error %q repeats the input", err)
	}
}

func TestDocTypes(t *testing.T) {
	t.Parallel()
	want := []string{"resident_id", "hk_macao_permit", "taiwan_permit", "foreign_permanent", "passport"}
	if !slices.Equal(DocTypes, want) {
		t.Fatalf("DocTypes = %q, want %q", DocTypes, want)
	}
	for _, typ := range DocTypes {
		if _, err := Document(typ, ""); errors.Is(err, ErrUnknownDocType) || err == nil {
			t.Errorf("Document(%q, \"\") error = %v, want a validation error", typ, err)
		}
	}
}

func TestDocTypeLabel(t *testing.T) {
	t.Parallel()
	tests := []struct{ typ, zh, en string }{
		{DocResident, "居民身份证", "Resident ID card"},
		{DocHKMacao, "港澳居民来往内地通行证", "Mainland travel permit for Hong Kong and Macao residents"},
		{DocTaiwan, "台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents"},
		{DocForeignPermanent, "外国人永久居留身份证", "Foreign permanent resident ID card"},
		{DocPassport, "护照", "Passport"},
		{"other", "other", "other"},
	}
	for _, tt := range tests {
		if got := DocTypeLabel(tt.typ, "zh-CN"); got != tt.zh {
			t.Errorf("DocTypeLabel(%q, zh-CN) = %q, want %q", tt.typ, got, tt.zh)
		}
		if got := DocTypeLabel(tt.typ, ""); got != tt.zh {
			t.Errorf("DocTypeLabel(%q, \"\") = %q, want %q", tt.typ, got, tt.zh)
		}
		if got := DocTypeLabel(tt.typ, "en"); got != tt.en {
			t.Errorf("DocTypeLabel(%q, en) = %q, want %q", tt.typ, got, tt.en)
		}
	}
}
