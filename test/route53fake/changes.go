package route53fake

import (
	"encoding/xml"
	"net/http"
)

type xGetChangeResponse struct {
	XMLName    xml.Name    `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetChangeResponse"`
	ChangeInfo xChangeInfo `xml:"ChangeInfo"`
}

// getChange reports PENDING for the first InSyncAfter polls of a change and
// INSYNC after that. Route 53 itself takes seconds to a minute; counting
// polls keeps tests fast while still exercising the waiting code.
func (a *Account) getChange(req *request) (*response, *APIError) {
	c := a.changes[req.seg[1]]
	if c == nil {
		// [I] wording; code and status are the model's.
		return nil, apiErr(http.StatusNotFound, "NoSuchChange", "A change with the specified change ID does not exist: %s", req.seg[1])
	}
	status := "PENDING"
	if c.polls >= a.f.opts.InSyncAfter {
		status = "INSYNC"
	}
	c.polls++
	return ok(&xGetChangeResponse{ChangeInfo: c.info(status)})
}
