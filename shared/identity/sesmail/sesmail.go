// Package sesmail sends one-time codes with Amazon SES v2 (aws-sdk-go-v2/service/sesv2).
// Importing it registers the "ses" code sender (identity.codes.sender: ses); a binary
// that does not send codes leaves it, and the SDK package, out.
package sesmail

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/identity"
)

func init() {
	identity.RegisterMailer(identity.SenderSES, func(ctx context.Context, c identity.MailerOptions) (identity.Mailer, error) {
		cfg, err := awsenv.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("identity: SES: %w", err)
		}
		return New(cfg, c.Endpoint, c.From, c.Service), nil
	})
}

// SES sends codes with Amazon SES v2 SendEmail from a verified identity.
type SES struct {
	Client *sesv2.Client
	// From is the sending identity (an email address verified in SES).
	From    string
	Service string // named in the subject and body
}

// New returns an SES mailer on cfg (awsenv.Load), at endpoint when not empty.
func New(cfg aws.Config, endpoint, from, service string) *SES {
	c := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return &SES{Client: c, From: from, Service: service}
}

// SendCode sends one plain-text email.
func (s *SES) SendCode(ctx context.Context, to, code string, valid time.Duration) error {
	subject, body := identity.Message(s.Service, code, valid)
	_, err := s.Client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject), Charset: aws.String("UTF-8")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(body), Charset: aws.String("UTF-8")}},
		}},
	})
	if err != nil {
		return fmt.Errorf("identity: SES SendEmail: %w", err)
	}
	return nil
}
