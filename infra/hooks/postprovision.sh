#!/usr/bin/env bash
# azd postprovision hook: RealtimeKit must be told where to deliver its webhooks. With RTK credentials and a
# shared app id in the azd environment the webhook is registered (once); otherwise this prints the manual step.
set -euo pipefail

webhook_url="${CASTIO_WEBHOOK_URL:?CASTIO_WEBHOOK_URL is not set; run azd provision first}"
rtk_api="${RTK_BASE_URL:-https://api.cloudflare.com/client/v4}"
events='["meeting.started","meeting.ended","meeting.participantJoined","meeting.participantLeft","meeting.chatSynced","recording.statusUpdate","livestreaming.statusUpdate","meeting.transcript","meeting.summary"]'

echo "Castio API:         ${CASTIO_API_BASE_URL:-}"
echo "RTK webhook URL:    $webhook_url"

manual_step() {
  echo "Manual step: in the RealtimeKit dashboard (or POST /accounts/<account>/realtime/kit/<app>/webhooks),"
  echo "add a webhook with the URL above and all events. With one RTK app per org (RTK_APP_ID empty), do it for each org's app."
}

if [ -z "${RTK_ACCOUNT_ID:-}" ] || [ -z "${RTK_API_TOKEN:-}" ] || [ -z "${RTK_APP_ID:-}" ]; then
  manual_step
  exit 0
fi

# The token goes to curl as a config file on stdin, never on a command line or in the output.
rtk() { printf 'header = "Authorization: Bearer %s"\n' "$RTK_API_TOKEN" | curl --silent --show-error --fail --max-time 30 --config - "$@"; }
webhooks="$rtk_api/accounts/$RTK_ACCOUNT_ID/realtime/kit/$RTK_APP_ID/webhooks"

if ! existing="$(rtk "$webhooks")"; then
  echo "Could not list the RTK webhooks of app $RTK_APP_ID." >&2
  manual_step
  exit 0
fi
if printf '%s' "$existing" | grep -qF "\"$webhook_url\""; then
  echo "RTK webhook already registered on app $RTK_APP_ID."
  exit 0
fi
if rtk --request POST --header 'Content-Type: application/json' \
    --data "{\"name\":\"castio\",\"url\":\"$webhook_url\",\"events\":$events}" "$webhooks" >/dev/null; then
  echo "RTK webhook registered on app $RTK_APP_ID."
else
  echo "Could not register the RTK webhook." >&2
  manual_step
fi
