"""Pure domain rules: the DASH risk checklist and the MARAC referral criteria."""
