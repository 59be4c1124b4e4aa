package route53

import "strings"

// The hosted zones AWS serves its own endpoints from. An alias record
// pointing at one of these names must carry the zone's ID. The values are
// AWS's published tables (service endpoints pages of the general
// reference); a region missing here just means no automatic alias: the
// record stays a CNAME unless aws/target-hosted-zone names the zone.
const (
	cloudFrontZoneID        = "Z2FDTNDATAQYW2"
	globalAcceleratorZoneID = "Z2BJ6XQ5FK7U4H"
)

// elbZoneIDs are the zones of Classic and Application Load Balancers,
// named <name>.<region>.elb.amazonaws.com.
var elbZoneIDs = map[string]string{
	"af-south-1": "Z268VQBMOI5EKX", "ap-east-1": "Z3DQVH9N71FHZ0",
	"ap-northeast-1": "Z14GRHDCWA56QT", "ap-northeast-2": "ZWKZPGTI48KDX",
	"ap-northeast-3": "Z5LXEXXYW11ES", "ap-south-1": "ZP97RAFLXTNZK",
	"ap-south-2": "Z0173938T07WNTVAEPZN", "ap-southeast-1": "Z1LMS91P8CMLE5",
	"ap-southeast-2": "Z1GM3OXH4ZPM65", "ap-southeast-3": "Z08888821HLRG5A9ZRTER",
	"ca-central-1": "ZQSVJUPU6J1EY", "cn-north-1": "Z1GDH35T77C1KE",
	"cn-northwest-1": "ZM7IZAIOVVDZF", "eu-central-1": "Z215JYRZR1TBD5",
	"eu-central-2": "Z06391101F2ZOEP8P5EB3", "eu-north-1": "Z23TAZ6LKFMNIO",
	"eu-south-1": "Z3ULH7SSC9OV64", "eu-south-2": "Z0956581394HF5D5LXGAP",
	"eu-west-1": "Z32O12XQLNTSW2", "eu-west-2": "ZHURV8PSTC4K8",
	"eu-west-3": "Z3Q77PNBQS71R4", "me-central-1": "Z08230872XQRWHG2XF6I",
	"me-south-1": "ZS929ML54UICD", "sa-east-1": "Z2P70J7HTTTPLU",
	"us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2",
	"us-gov-east-1": "Z166TLBEWOO7G0", "us-gov-west-1": "Z33AYJ8TM3BH4J",
	"us-west-1": "Z368ELLRRE2KJ0", "us-west-2": "Z1H1FL5HABSF5",
}

// nlbZoneIDs are the zones of Network Load Balancers, named
// <name>.elb.<region>.amazonaws.com.
var nlbZoneIDs = map[string]string{
	"af-south-1": "Z203XCE67M25HM", "ap-east-1": "Z12Y7K3UBGUAD1",
	"ap-northeast-1": "Z31USIVHYNEOWT", "ap-northeast-2": "ZIBE1TIR4HY56",
	"ap-northeast-3": "Z1GWIQ4HH19I5X", "ap-south-1": "ZVDDRBQ08TROA",
	"ap-south-2": "Z0711778386UTO08407HT", "ap-southeast-1": "ZKVM4W9LS7TM",
	"ap-southeast-2": "ZCT6FZBF4DROD", "ap-southeast-3": "Z01971771FYVNCOVWJU1G",
	"ca-central-1": "Z2EPGBW3API2WT", "cn-north-1": "Z3QFB96KMJ7ED6",
	"cn-northwest-1": "ZQEIKTCZ8352D", "eu-central-1": "Z3F0SRJ5LGBH90",
	"eu-central-2": "Z02239872DOALSIDCX66S", "eu-north-1": "Z1UDT6IFJ4EJM",
	"eu-south-1": "Z23146JA1KNAFP", "eu-south-2": "Z1011216NVTVYADP1SSV",
	"eu-west-1": "Z2IFOLAFXWLO4F", "eu-west-2": "ZD4D7Y8KGAS4G",
	"eu-west-3": "Z1CMS0P5QUZ6D5", "me-central-1": "Z00282643NTTLPANJJG2P",
	"me-south-1": "Z3QSRYVP46NYYV", "sa-east-1": "ZTK26PT1VY4CU",
	"us-east-1": "Z26RNL4JYFTOTI", "us-east-2": "ZLMOA37VPKANP",
	"us-gov-east-1": "Z1ZSMQQ6Q24QQ8", "us-gov-west-1": "ZMG1MZ2THAWF1",
	"us-west-1": "Z24FKFUX50B4VW", "us-west-2": "Z18D5FSROUN65G",
}

// apiGatewayZoneIDs are the zones of regional API Gateway custom domains,
// named <id>.execute-api.<region>.amazonaws.com. Edge-optimised domains
// are CloudFront names.
var apiGatewayZoneIDs = map[string]string{
	"af-south-1": "Z2DHW2332DAMTN", "ap-east-1": "Z3FD1VL90ND7K5",
	"ap-northeast-1": "Z1YSHQZHG15GKL", "ap-northeast-2": "Z20JF4UZKIW1U8",
	"ap-south-1": "Z3VO1THU9YC4UR", "ap-southeast-1": "ZL327KTPIQFUL",
	"ap-southeast-2": "Z2RPCDW04V8134", "ca-central-1": "Z19DQILCV0OWEC",
	"eu-central-1": "Z1U9ULNL0V5AJ3", "eu-north-1": "Z3UWIKFBOOGXPP",
	"eu-south-1": "Z3BT4WSQ9TDYZV", "eu-west-1": "ZLY8HYME6SFDD",
	"eu-west-2": "ZJ5UAJN8Y3Z2Q", "eu-west-3": "Z3KY65QIEKYHQQ",
	"me-central-1": "Z08780021BKYYY8U0YHTV", "me-south-1": "Z20ZBPC0SS8806",
	"sa-east-1": "ZCMLWB8V5SYIT", "us-east-1": "Z1UJRXOUMOOFQ8",
	"us-east-2": "ZOJJZC49E0EPZ", "us-gov-east-1": "Z3SE9ATJYCRCZJ",
	"us-gov-west-1": "Z1K6XKP9SAGWDV", "us-west-1": "Z2MUQ32089INYE",
	"us-west-2": "Z2OJLYMUO9EFXC",
}

// s3WebsiteZoneIDs are the zones of S3 static website endpoints, named
// <bucket>.s3-website-<region>.amazonaws.com or
// <bucket>.s3-website.<region>.amazonaws.com.
var s3WebsiteZoneIDs = map[string]string{
	"af-south-1": "Z83WF9RJE8B12", "ap-east-1": "ZNB98KWMFR0R6",
	"ap-northeast-1": "Z2M4EHUR26P7ZW", "ap-northeast-2": "Z3W03O7B5YMIYP",
	"ap-northeast-3": "Z2YQB5RD63NC85", "ap-south-1": "Z11RGJOFQNVJUP",
	"ap-south-2": "Z02976202B4EZMXIPMXF7", "ap-southeast-1": "Z3O0J2DXBE1FTB",
	"ap-southeast-2": "Z1WCIGYICN2BYD", "ap-southeast-3": "Z01846753K324LI26A3VV",
	"ap-southeast-4": "Z0312387243XT5FE14WFO", "ap-southeast-5": "Z08660063OXLMA7F1FJHU",
	"ca-central-1": "Z1QDHH18159H29", "ca-west-1": "Z03565811Z33SLEZTHOUL",
	"cn-north-1": "Z5CN8UMXT92WN", "cn-northwest-1": "Z282HJ1KT0DH03",
	"eu-central-1": "Z21DNDUVLTQW6Q", "eu-central-2": "Z030506016YDQGETNASS",
	"eu-north-1": "Z3BAZG2TWCNX0D", "eu-south-1": "Z30OZKI7KPW7MI",
	"eu-south-2": "Z0081959F7139GRJC19J", "eu-west-1": "Z1BKCTXD74EZPE",
	"eu-west-2": "Z3GKZC51ZF0DB4", "eu-west-3": "Z3R1K369G5AVDG",
	"il-central-1": "Z09640613K4A3MN55U7GU", "me-central-1": "Z06143092I8HRXZRUZROF",
	"me-south-1": "Z1MPMWCPA7YB62", "sa-east-1": "Z7KQH4QJS55SO",
	"us-east-1": "Z3AQBSTGFYJSTF", "us-east-2": "Z2O1EMRO9K5GLX",
	"us-gov-east-1": "Z2NIFVYYW2VKV1", "us-gov-west-1": "Z31GFT0UA1I2HV",
	"us-west-1": "Z2F56UZL2M1ACD", "us-west-2": "Z3BJ6K6RIION7M",
}

// CanonicalHostedZone returns the hosted zone ID AWS serves target from,
// or "" when target is not an AWS endpoint that can be aliased.
func CanonicalHostedZone(target string) string {
	t := strings.ToLower(strings.TrimSuffix(target, "."))
	// China's partition only adds ".cn".
	t = strings.TrimSuffix(t, ".cn")
	switch {
	case strings.HasSuffix(t, ".cloudfront.net"):
		return cloudFrontZoneID
	case strings.HasSuffix(t, ".awsglobalaccelerator.com"):
		return globalAcceleratorZoneID
	}
	labels := strings.Split(t, ".")
	n := len(labels)
	if n < 4 || labels[n-1] != "com" || labels[n-2] != "amazonaws" {
		return ""
	}
	// <name>.<region>.elb.amazonaws.com
	if labels[n-3] == "elb" {
		return elbZoneIDs[labels[n-4]]
	}
	region := labels[n-3]
	switch service := labels[n-4]; {
	case service == "elb":
		return nlbZoneIDs[region]
	case service == "execute-api":
		return apiGatewayZoneIDs[region]
	case service == "s3-website":
		return s3WebsiteZoneIDs[region]
	}
	// <bucket>.s3-website-<region>.amazonaws.com
	if r, ok := strings.CutPrefix(labels[n-3], "s3-website-"); ok {
		return s3WebsiteZoneIDs[r]
	}
	return ""
}
