<%
' Copy this file to webhook_config.asp (next to notify.asp) and fill in your values.
' Keep the .asp extension: IIS runs .asp files and never sends their source, whereas a .inc or
' .txt file in the web folder can be downloaded as plain text by anyone who guesses its name.
' Do not commit the filled-in copy to source control.

' The gateway's FORWARD_SECRET, exactly as you gave it to `wrangler secret put FORWARD_SECRET`
' (whsec_ followed by base64). During a rotation put both, separated by one space:
'   Const WEBHOOK_SECRETS = "whsec_NEW... whsec_OLD..."
Const WEBHOOK_SECRETS = "whsec_REPLACE_ME"

' The live payment status widget (status_widget.asp, thank_you.asp, return.asp). Leave
' STATUS_SECRET empty to switch it off. STATUS_SECRET is the gateway's secret of that name
' (`wrangler secret put STATUS_SECRET`, at least 32 characters); STATUS_APP_ID your Alipay app_id
' (a legacy mapi shop, which has none: its partner id, 2088..., the seller_id of its notifications);
' GATEWAY_BASE_URL where buyers' browsers reach the gateway (no trailing slash).
Const STATUS_SECRET = ""
Const STATUS_APP_ID = "2021000000000000"
Const GATEWAY_BASE_URL = "https://pay-gateway.example.com"

' Your shop database (SQL Server through the OLE DB driver shown; any ADO provider works).
Const SHOP_CONNECTION_STRING = "Provider=MSOLEDBSQL;Data Source=localhost;Initial Catalog=shop;Integrated Security=SSPI;"
%>
