<%
' Copy this file to webhook_config.asp (next to notify.asp) and fill in your values.
' Keep the .asp extension: IIS runs .asp files and never sends their source, whereas a .inc or
' .txt file in the web folder can be downloaded as plain text by anyone who guesses its name.
' Do not commit the filled-in copy to source control.

' The gateway's FORWARD_SECRET, exactly as you gave it to `wrangler secret put FORWARD_SECRET`
' (whsec_ followed by base64). During a rotation put both, separated by one space:
'   Const WEBHOOK_SECRETS = "whsec_NEW... whsec_OLD..."
Const WEBHOOK_SECRETS = "whsec_REPLACE_ME"

' Your shop database (SQL Server through the OLE DB driver shown; any ADO provider works).
Const SHOP_CONNECTION_STRING = "Provider=MSOLEDBSQL;Data Source=localhost;Initial Catalog=shop;Integrated Security=SSPI;"
%>
