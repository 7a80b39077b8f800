<%@ Language="VBScript" CodePage=65001 %>
<%
Option Explicit
' ---------------------------------------------------------------------------------------------
' Classic ASP return page for alipay-notify-edge (the page ORIGIN_RETURN_URL points at).
'
' After paying, Alipay sends the buyer's browser to return_url with a signed query string. Set
' return_url to the gateway's GET /alipay/return: it checks Alipay's signature and redirects the
' browser here with the query unchanged, followed by its verdict, signed with FORWARD_SECRET:
'   ...?<Alipay's query>&gw_verified=1|0[&gw_reason=<why not>]&gw_ts=<Unix seconds>&gw_sig=<sig>
' gw_sig = base64url (no "=") of HMAC-SHA256(secret, "gw-return-v1" LF covered LF verified LF
'          reason LF ts), where covered = the query before "&gw_verified=" (docs/DEPLOY.md,
'          "Return page verification").
'
' A return is only for what the buyer SEES. Never mark an order paid here: a buyer can stop,
' replay or share this URL. Orders are credited by notify.asp (the webhook), and this page shows
' the state notify.asp left in your database.
'
' Uses WEBHOOK_SECRETS from webhook_config.asp, the same as notify.asp.
' ---------------------------------------------------------------------------------------------
%>
<!--#include file="webhook_config.asp"-->
<!--#include file="status_widget.asp"-->
<script language="JScript" runat="server">
function UnixNowSeconds() { return Math.floor(new Date().getTime() / 1000); }
</script>
<%
Const RETURN_TOLERANCE_SECONDS = 600   ' the browser follows the redirect at once

Dim verdict
Response.CharSet = "utf-8"
Response.AddHeader "Cache-Control", "no-store"

' QUERY_STRING is the raw query as the browser sent it: exactly the bytes the gateway signed.
' Request.QueryString below reads the whole query, so CheckGatewayReturn refuses any parameter
' the gateway did not put there: what it lets through is covered by gw_sig, or is the status link.
verdict = CheckGatewayReturn(Request.ServerVariables("QUERY_STRING"), WEBHOOK_SECRETS)

If verdict = "verified" Then
    ' Alipay signed this return. Still only a hint: look the order up and show ITS state
    ' ("paid" once notify.asp has credited it, otherwise "confirming your payment...").
    Response.Write "<p>Thank you. Order " & Server.HTMLEncode(Request.QueryString("out_trade_no")) & _
        ": we are confirming your payment.</p>"
    ' Live status (status_widget.asp). With STATUS_SECRET set at the gateway, the redirect carries
    ' a status link for this order (gw_status_exp, gw_status_sig), which needs no secret here;
    ' otherwise the page signs one itself when webhook_config.asp has STATUS_SECRET (the gateway
    ' checked that Alipay signed this order number for this shop, so it is safe to sign it).
    Dim statusHtml, statusApp
    statusApp = Request.QueryString("app_id")
    If Len(statusApp) = 0 Then statusApp = Request.QueryString("seller_id")
    statusHtml = StatusWidgetHtmlForLink(statusApp, Request.QueryString("out_trade_no"), _
        Request.QueryString("gw_status_exp"), Request.QueryString("gw_status_sig"), "en")
    If Len(statusHtml) = 0 Then statusHtml = StatusWidgetHtml(Request.QueryString("out_trade_no"), "en")
    Response.Write "<p>" & statusHtml & "</p>"
Else
    ' "alipay:<reason>": the gateway checked the query and it is not Alipay's (or not for this
    ' shop). Anything else: the gw_ parameters are missing, stale or forged. Show no order data.
    Response.AppendToLog "return-rejected:" & verdict
    Response.Write "<p>We could not confirm this payment page. If you paid, your order will be " & _
        "updated as soon as Alipay notifies us.</p>"
End If

' Returns "verified", "alipay:<gw_reason>", or why the gateway's verdict itself is not usable:
' "not-from-gateway", "unexpected-parameter", "expired", "signature-mismatch",
' "secret-not-configured".
Function CheckGatewayReturn(query, secretsSetting)
    Dim at, covered, parts, i, eq, name, paramValue, unexpected, verified, reason, ts, sig
    Dim canonical, secrets, matched, keyCount, expected
    at = InStrRev(query, "gw_verified=")
    If at = 0 Then
        CheckGatewayReturn = "not-from-gateway"
        Exit Function
    End If
    If at = 1 Then
        covered = ""
    ElseIf Mid(query, at - 1, 1) = "&" Then
        covered = Left(query, at - 2)
    Else
        CheckGatewayReturn = "not-from-gateway"
        Exit Function
    End If

    ' The trailer's values need no decoding: 0/1, [a-z-], digits, base64url and hex. Only the
    ' gateway's names may follow the covered part: anything else was appended to the URL after
    ' the gateway signed it (gw_sig covers none of it), and Request.QueryString would mix it with
    ' the covered fields ("out_trade_no=A" covered plus "&out_trade_no=B" appended reads "A, B").
    parts = Split(Mid(query, at), "&")
    unexpected = False
    For i = 0 To UBound(parts)
        eq = InStr(parts(i), "=")
        If eq > 0 Then
            name = Left(parts(i), eq - 1)
            paramValue = Mid(parts(i), eq + 1)
        Else
            name = parts(i)
            paramValue = ""
        End If
        Select Case name
            Case "gw_verified": verified = paramValue
            Case "gw_reason": reason = paramValue
            Case "gw_ts": ts = paramValue
            Case "gw_sig": sig = paramValue
            Case "gw_status_exp", "gw_status_sig", ""
                ' the status link (read by the page below), or nothing between "&&"
            Case Else
                unexpected = True
        End Select
    Next
    If unexpected Then
        CheckGatewayReturn = "unexpected-parameter"
        Exit Function
    End If
    If (verified <> "1" And verified <> "0") Or Len(ts) = 0 Or Len(ts) > 12 Or Not IsDigits(ts) Then
        CheckGatewayReturn = "not-from-gateway"
        Exit Function
    End If
    If Abs(UnixNowSeconds() - CDbl(ts)) > RETURN_TOLERANCE_SECONDS Then
        CheckGatewayReturn = "expired"
        Exit Function
    End If
    If verified = "1" Then reason = ""

    canonical = "gw-return-v1" & vbLf & covered & vbLf & verified & vbLf & reason & vbLf & ts
    secrets = Split(Trim(secretsSetting), " ")
    matched = False
    keyCount = 0
    For i = 0 To UBound(secrets)
        If Left(secrets(i), 6) = "whsec_" Then
            keyCount = keyCount + 1
            expected = BytesToBase64(HmacSha256(Base64ToBytes(Mid(secrets(i), 7)), Utf8Bytes(canonical)))
            expected = Replace(Replace(Replace(expected, "+", "-"), "/", "_"), "=", "")
            If ConstantTimeEquals(sig, expected) Then matched = True   ' every secret, no early exit
        End If
    Next
    If keyCount = 0 Then
        CheckGatewayReturn = "secret-not-configured"
    ElseIf Not matched Then
        CheckGatewayReturn = "signature-mismatch"
    ElseIf verified = "1" Then
        CheckGatewayReturn = "verified"
    Else
        CheckGatewayReturn = "alipay:" & reason
    End If
End Function

' ---- the same helpers as notify.asp -----------------------------------------------------------

Function ConstantTimeEquals(a, b)
    Dim i, difference
    If Len(a) <> Len(b) Then
        ConstantTimeEquals = False
        Exit Function
    End If
    difference = 0
    For i = 1 To Len(a)
        difference = difference Or (AscW(Mid(a, i, 1)) Xor AscW(Mid(b, i, 1)))
    Next
    ConstantTimeEquals = (difference = 0)
End Function

Function HmacSha256(keyBytes, dataBytes)
    Dim hmac
    Set hmac = CreateObject("System.Security.Cryptography.HMACSHA256")
    hmac.Key = keyBytes
    HmacSha256 = hmac.ComputeHash_2((dataBytes))
    Set hmac = Nothing
End Function

Function Utf8Bytes(text)
    Dim utf8
    Set utf8 = CreateObject("System.Text.UTF8Encoding")
    Utf8Bytes = utf8.GetBytes_4(text)
    Set utf8 = Nothing
End Function

Function Base64ToBytes(text)
    Dim node
    Set node = CreateObject("MSXML2.DOMDocument.6.0").createElement("b")
    node.dataType = "bin.base64"
    node.text = text
    Base64ToBytes = node.nodeTypedValue
End Function

Function BytesToBase64(bytes)
    Dim node
    Set node = CreateObject("MSXML2.DOMDocument.6.0").createElement("b")
    node.dataType = "bin.base64"
    node.nodeTypedValue = bytes
    BytesToBase64 = Replace(Replace(node.text, vbLf, ""), vbCr, "")
End Function

Function IsDigits(text)
    Dim pattern
    Set pattern = New RegExp
    pattern.Pattern = "^[0-9]+$"
    IsDigits = pattern.Test(text)
End Function
%>
