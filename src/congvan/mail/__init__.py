"""Official e-mail (thư điện tử công vụ): addresses and mailboxes, provisioning of the mail server, mail
out (outbox, DKIM, relay), mail in (listener, IMAP polling, intake) and the mailbox-check compliance."""
