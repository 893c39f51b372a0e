-- The demo backend's customers and tickets (shared/connector/demo/seed.json), for local
-- runs and tests of the SQL connector: psql "$DSN" -f testdata/seed.sql after Migrate.
-- Emails are lower-cased as the demo stores them, so both backends return the same
-- Customer for the same lookup. Customers are skipped when present; tickets are
-- inserted again on every run, so load this file into a fresh database.
INSERT INTO customers (email, first_name, last_name, company, phone, plan, status, created_at,
                       street, city, region, postal_code, country) VALUES
  ('ada@example.com', 'Ada', 'Lovelace', 'Analytical Engines Ltd', '+44 20 7946 0018', 'Enterprise', 'active', '2023-03-14T09:30:00Z',
   '12 St James''s Square', 'London', 'Greater London', 'SW1Y 4LB', 'United Kingdom'),
  ('grace.hopper@example.com', 'Grace', 'Hopper', 'Compiler Systems Inc', '+1 202 555 0143', 'Pro', 'active', '2023-06-01T14:00:00Z',
   '42 Compiler Lane', 'Arlington', 'VA', '22201', 'United States'),
  ('alan.turing@example.org', 'Alan', 'Turing', 'Bletchley Computing', '+44 20 7946 0321', 'Pro', 'active', '2023-09-10T08:15:00Z',
   'The Mansion, Bletchley Park', 'Milton Keynes', 'Buckinghamshire', 'MK3 6EB', 'United Kingdom'),
  ('katherine.johnson@example.com', 'Katherine', 'Johnson', 'Orbital Mechanics LLC', '+1 757 555 0188', 'Free', 'trial', '2025-05-20T16:45:00Z',
   '1 NASA Drive', 'Hampton', 'VA', '23666', 'United States'),
  ('charles.babbage@example.co.uk', 'Charles', 'Babbage', 'Difference Engines plc', '+44 20 7946 0999', 'Enterprise', 'churned', '2022-01-05T11:00:00Z',
   '1 Dorset Street', 'London', '', 'W1U 4EF', 'United Kingdom'),
  ('margaret.hamilton@example.com', 'Margaret', 'Hamilton', 'Apollo Guidance Systems', '+1 617 555 0110', 'Enterprise', 'trial', '2024-11-02T13:20:00Z',
   '75 Vassar Street', 'Cambridge', 'MA', '02139', 'United States'),
  ('hedy.lamarr@example.com', 'Hedy', 'Lamarr', 'Frequency Hopping Co', '+1 310 555 0199', 'Pro', 'active', '2024-02-29T10:10:00Z',
   '10202 Washington Boulevard', 'Culver City', 'CA', '90232', 'United States'),
  ('edsger.dijkstra@example.nl', 'Edsger', 'Dijkstra', 'Shortest Path BV', '+31 20 555 0142', 'Free', 'active', '2024-07-07T07:07:00Z',
   'Science Park 123', 'Amsterdam', 'Noord-Holland', '1098 XG', 'Netherlands'),
  ('alonzo.church@example.edu', 'Alonzo', 'Church', '', '', 'Free', 'churned', '2022-08-19T18:30:00Z',
   '', '', '', '', '')
ON CONFLICT DO NOTHING;

INSERT INTO tickets (external_id, subject, description, status, priority, requester_email, requester_name, created_at) VALUES
  (NULL, 'Cancel our subscription', 'We are moving to an in-house system. Please cancel the Enterprise subscription at the end of the term.', 'closed', 'normal', 'charles.babbage@example.co.uk', 'Charles Babbage', '2025-01-28T09:12:00Z'),
  (NULL, 'Invoice address needs our new VAT number', 'Our VAT number changed to GB 123 4567 89. Please reissue the January invoice with it.', 'solved', 'low', 'ada@example.com', 'Ada Lovelace', '2025-02-10T15:40:00Z'),
  (NULL, 'SSO login loops back to the sign-in page', 'After the identity provider redirects back, the sign-in page loads again instead of the dashboard.', 'solved', 'high', 'grace.hopper@example.com', 'Grace Hopper', '2025-03-05T10:05:00Z'),
  (NULL, 'Need a W-9 form for procurement', 'Our procurement team needs a signed W-9 before they can approve the annual order.', 'hold', 'normal', 'margaret.hamilton@example.com', 'Margaret Hamilton', '2025-04-14T12:00:00Z'),
  (NULL, 'Mobile app notifications arrive late', 'Push notifications on Android arrive ten to twenty minutes after the event.', 'pending', 'normal', 'hedy.lamarr@example.com', 'Hedy Lamarr', '2025-04-22T08:30:00Z'),
  (NULL, 'Webhook deliveries failing with 401', 'Since yesterday every webhook delivery to our endpoint fails with 401 Unauthorized.', 'open', 'high', 'grace.hopper@example.com', 'Grace Hopper', '2025-05-09T17:25:00Z'),
  (NULL, 'Card declined on renewal', 'The monthly renewal failed with a card decline although the card works elsewhere.', 'open', 'urgent', 'alan.turing@example.org', 'Alan Turing', '2025-05-12T07:50:00Z'),
  (NULL, 'CSV export drops accented characters', 'Names like Björn and Zoë lose their accents in the CSV export.', 'new', 'low', 'edsger.dijkstra@example.nl', 'Edsger Dijkstra', '2025-05-30T14:14:00Z'),
  (NULL, 'Add two more seats to our plan', 'Two engineers are joining next month; please add two seats to the Pro plan.', 'new', 'normal', 'grace.hopper@example.com', 'Grace Hopper', '2025-06-03T09:00:00Z'),
  (NULL, 'Export of engine diagrams times out', 'Exporting the full set of engine diagrams as PDF stops after about a minute with a timeout.', 'open', 'high', 'ada@example.com', 'Ada Lovelace', '2025-06-11T11:11:00Z'),
  (NULL, 'Request for deletion of our account data', 'Now that the subscription has ended, please delete all data held about Difference Engines plc.', 'solved', 'normal', 'charles.babbage@example.co.uk', 'Charles Babbage', '2025-06-15T10:30:00Z')
;
