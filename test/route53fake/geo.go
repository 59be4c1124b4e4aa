package route53fake

import "strings"

// Code tables are space-delimited strings rather than maps so that the
// package holds no mutable state; lookups are rare enough for a scan.

const continents = " AF AN AS EU OC NA SA "

// ISO 3166-1 alpha-2 minus BV, CX, EH and HM, which Route 53 does not
// support for geolocation (rules §2, DG-GEO).
const countries = " AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ" +
	" BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CY" +
	" CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL" +
	" GM GN GP GQ GR GS GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO" +
	" JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF" +
	" MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR" +
	" NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE" +
	" SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR" +
	" TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "

// The SubdivisionCode documentation allows only states of the United States
// (rules §2); DC is listed by ListGeoLocations.
const usStates = " AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO" +
	" MS MT NC ND NE NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY "

// Regions a health check can be probed from (rules §7).
const healthCheckRegions = " us-east-1 us-west-1 us-west-2 eu-west-1 ap-southeast-1 ap-southeast-2 ap-northeast-1 sa-east-1 "

func inList(list, code string) bool {
	return code != "" && !strings.ContainsAny(code, " ") && strings.Contains(list, " "+code+" ")
}

// validGeo checks the combination rules of GeoLocation: a continent stands
// alone, a subdivision needs CountryCode=US, and "*" is the default record.
func validGeo(g *xGeoLocation) bool {
	cont, country, sub := deref(g.ContinentCode), deref(g.CountryCode), deref(g.SubdivisionCode)
	switch {
	case g.ContinentCode != nil:
		return g.CountryCode == nil && g.SubdivisionCode == nil && inList(continents, cont)
	case g.CountryCode == nil:
		return false
	case g.SubdivisionCode != nil:
		return country == "US" && inList(usStates, sub)
	default:
		return country == "*" || inList(countries, country)
	}
}

func geoKey(g *xGeoLocation) string {
	return deref(g.ContinentCode) + "/" + deref(g.CountryCode) + "/" + deref(g.SubdivisionCode)
}

// geoString renders a location the way Route 53 renders Java-style maps in
// its InvalidInput messages.
func geoString(g *xGeoLocation) string {
	return "[ContinentCode=" + orNull(g.ContinentCode) + ", CountryCode=" + orNull(g.CountryCode) +
		", SubdivisionCode=" + orNull(g.SubdivisionCode) + "]"
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func orNull(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}
