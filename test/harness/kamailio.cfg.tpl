#!KAMAILIO
# siplens scenario harness: kamailio as registrar and proxy with digest authentication, users in memory (htable), no
# database. runScenario() fills the @@NAME@@ placeholders and starts one kamailio per scenario on free loopback ports.

debug=2
log_stderror=yes
log_prefix="{$mt $hdr(CSeq) $ci} "
# One worker per transport: messages are handled in arrival order, so the order on the wire is the same every run.
children=1
tcp_children=1
auto_aliases=no
disable_tls=yes
disable_sctp=yes
dns=no
rev_dns=no
use_dns_cache=off
server_header="Server: siplens-harness kamailio"
user_agent_header="User-Agent: siplens-harness kamailio"
@@LISTEN@@
alias="siplens.test"

mpath="@@MODULES@@/"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "htable.so"
loadmodule "auth.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "sipdump.so"
@@SIPTRACE_LOAD@@

# Timer B/F stand-ins kept short so a scenario ends in seconds: fr_timer ends a transaction that got no answer at all,
# fr_inv_timer one that rings without a final answer (RFC 3261 §16.6 step 11 / §16.8: the proxy answers 408 itself).
modparam("tm", "fr_timer", @@FR_TIMER@@)
modparam("tm", "fr_inv_timer", @@FR_INV_TIMER@@)

modparam("rr", "enable_full_lr", 1)

# Users and their plain passwords: in memory, filled at start-up, no database.
modparam("htable", "htable", "users=>size=4;")
modparam("htable", "htable", "blocked=>size=4;")

modparam("auth", "nonce_expire", 300)

modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 0)
# RFC 3261 §10.3 step 7: a registrar may refuse a too brief expiry with 423 and Min-Expires.
modparam("registrar", "min_expires", @@MIN_EXPIRES@@)
modparam("registrar", "min_expires_mode", 1)
modparam("registrar", "default_expires", @@MIN_EXPIRES@@)
modparam("registrar", "max_expires", 86400)

# Every SIP message received and sent, as text, in @@DUMP_DIR@@.
modparam("sipdump", "enable", 1)
modparam("sipdump", "mode", 1)
modparam("sipdump", "folder", "@@DUMP_DIR@@")
modparam("sipdump", "fprefix", "kamailio-sipdump-")
@@SIPTRACE_PARAMS@@

event_route[htable:mod-init] {
@@USERS@@
}

event_route[core:worker-one-init] {
	xlog("L_NOTICE", "siplens-harness: ready\n");
}

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}

	if (has_totag()) {
		route(WITHINDLG);
		exit;
	}

	# Retransmissions of a request already in a transaction are absorbed here.
	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}

	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}

	if (is_method("REGISTER")) {
		route(REGISTRAR);
		exit;
	}

	if (is_method("ACK")) {
		# ACK for a 2xx without a to-tag does not happen; a stray ACK is dropped.
		exit;
	}

	if (is_method("INVITE")) {
		route(AUTH_INVITE);
		record_route();
		route(LOCATION);
		exit;
	}

	sl_send_reply("405", "Method Not Allowed");
	exit;
}

route[WITHINDLG] {
	if (loose_route()) {
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[REGISTRAR] {
	# RFC 3261 §22.1: challenge first, so an unknown user learns nothing before sending credentials.
	if (!is_present_hf("Authorization")) {
		www_challenge("siplens.test", "0");
		exit;
	}
	# RFC 3261 §10.3 step 5: an address of record unknown to the domain gets 404.
	if ($sht(users=>$au) == $null) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	if (!pv_www_authenticate("siplens.test", "$sht(users=>$au)", "0")) {
		# Wrong password (or a stale nonce): challenge again, as a real registrar does.
		www_challenge("siplens.test", "0");
		exit;
	}
	# RFC 3261 §10.3 step 3: the authenticated user must own the address of record.
	if ($au != $tU) {
		sl_send_reply("403", "Forbidden");
		exit;
	}
	if ($sht(blocked=>$au) != $null) {
		append_to_reply("Warning: 399 siplens.test \"Account blocked by the administrator\"\r\n");
		sl_send_reply("403", "Forbidden - account blocked");
		exit;
	}
	consume_credentials();
	# save() sends the reply itself: 200 with the bindings, or 423 with Min-Expires, or 5xx.
	save("location");
	exit;
}

route[AUTH_INVITE] {
	if (!is_present_hf("Proxy-Authorization")) {
		proxy_challenge("siplens.test", "0");
		exit;
	}
	if ($sht(users=>$au) == $null || !pv_proxy_authenticate("siplens.test", "$sht(users=>$au)", "0")) {
		proxy_challenge("siplens.test", "0");
		exit;
	}
	if ($au != $fU) {
		sl_send_reply("403", "Forbidden");
		exit;
	}
	consume_credentials();
}

route[LOCATION] {
	if ($rU == "helpdesk") {
		# A service in maintenance: RFC 3261 §21.5.4, 503 with Retry-After.
		append_to_reply("Retry-After: 120\r\n");
		sl_send_reply("503", "Service Unavailable");
		exit;
	}
	if (!lookup("location")) {
		if ($sht(users=>$rU) != $null) {
			# RFC 3261 §21.4.18: the user exists but has no current location.
			sl_send_reply("480", "Temporarily Unavailable");
		} else {
			sl_send_reply("404", "Not Found");
		}
		exit;
	}
	route(RELAY);
}

route[RELAY] {
	# When sending fails at once (a TCP contact refusing the connection), tm itself answers 477; a second reply from
	# sl_reply_error() would only repeat it.
	t_relay();
	exit;
}
