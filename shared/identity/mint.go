package identity

import (
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Mint signs an HS256 identity token for email, as the site embedding the chatbot
// would (`switchboard token`, the smoke conversations). sub defaults to the email; iss
// and aud are left out when empty.
func Mint(key []byte, email, sub, iss, aud string, now time.Time, ttl time.Duration) (string, error) {
	if sub == "" {
		sub = email
	}
	c := Claims{Email: strings.ToLower(email), RegisteredClaims: jwt.RegisteredClaims{
		Subject: sub, Issuer: iss, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	if aud != "" {
		c.Audience = jwt.ClaimStrings{aud}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
}
