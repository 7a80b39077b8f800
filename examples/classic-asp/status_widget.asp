<%
' ---------------------------------------------------------------------------------------------
' The gateway's live payment status widget for a classic ASP page (include this file).
'
'   <!--#include file="webhook_config.asp"-->
'   <!--#include file="status_widget.asp"-->
'   ...
'   Response.Write "Payment status: " & StatusWidgetHtml(orderNo, "zh")
'
' The buyer sees "等待付款…" turn into "已支付 ✓ ¥88.88" (or "closed") without reloading, the
' moment Alipay's notification reaches the gateway. The page signs which order may be watched
' and until when, with the gateway's STATUS_SECRET (set in webhook_config.asp):
'   data-sig = lowercase hex HMAC-SHA256(key = UTF-8 of STATUS_SECRET, app_id & "." & out_trade_no & "." & exp)
' through the .NET HMACSHA256 class Windows exposes to VBScript, as notify.asp does.
' Sign only the visitor's own order (e.g. the one in their Session): the widget shows its status
' and amount, never anything about the buyer.
'
' Check your setup with this test vector:
'   STATUS_SECRET "status-secret-example-0123456789abcdef", app_id "2021000000000000",
'   out_trade_no "DEMO-20260501-0001", exp 1777600000
'   -> 3f40757e22ebbfe43e18e24867c302964ad0241073e3efb8d1a9d5082b874dce
'
' Names start with "Status" so that this file can be included next to notify.asp's helpers.
' ---------------------------------------------------------------------------------------------
Const STATUS_LINK_TTL_SECONDS = 7200   ' long enough to pay; a shared link goes stale

' The element and the script tag; "" when STATUS_SECRET is not configured.
Function StatusWidgetHtml(outTradeNo, lang)
    Dim secret, exp
    StatusWidgetHtml = ""
    secret = StatusTrimmedSecret(STATUS_SECRET)
    If Len(secret) < 32 Or Len(outTradeNo) = 0 Then Exit Function
    exp = StatusUnixNowSeconds() + STATUS_LINK_TTL_SECONDS
    StatusWidgetHtml = StatusWidgetHtmlForLink(STATUS_APP_ID, outTradeNo, exp, StatusLinkSig(secret, STATUS_APP_ID, outTradeNo, exp), lang)
End Function

' STATUS_SECRET without the spaces, tabs or line breaks a paste can leave around it: the gateway
' trims its STATUS_SECRET the same way, so both sides sign with the same key.
Function StatusTrimmedSecret(secret)
    Dim pattern
    Set pattern = New RegExp
    pattern.Pattern = "^\s+|\s+$"
    pattern.Global = True
    StatusTrimmedSecret = pattern.Replace(secret, "")
End Function

' The same for a link signed elsewhere: the gateway's return_url bridge appends one to a verified
' return (gw_status_exp, gw_status_sig; see return.asp), so that page needs no STATUS_SECRET.
' "" unless exp is digits and sig is 64 hex characters.
Function StatusWidgetHtmlForLink(appId, outTradeNo, exp, sig, lang)
    Dim pattern, langAttr
    StatusWidgetHtmlForLink = ""
    Set pattern = New RegExp
    pattern.Pattern = "^[0-9]{1,12}$"
    If Not pattern.Test(CStr(exp)) Then Exit Function
    pattern.Pattern = "^[0-9a-f]{64}$"
    If Not pattern.Test(CStr(sig)) Or Len(appId) = 0 Or Len(outTradeNo) = 0 Then Exit Function
    langAttr = ""
    If lang = "zh" Or lang = "en" Then langAttr = " data-lang=""" & lang & """"
    StatusWidgetHtmlForLink = "<span data-alipay-status data-app-id=""" & Server.HTMLEncode(appId) & """" & _
        " data-out-trade-no=""" & Server.HTMLEncode(outTradeNo) & """ data-exp=""" & exp & """" & _
        " data-sig=""" & sig & """" & langAttr & "></span>" & vbCrLf & _
        "<script src=""" & Server.HTMLEncode(GATEWAY_BASE_URL) & "/alipay/status.js"" async></script>"
End Function

Function StatusLinkSig(secret, appId, outTradeNo, exp)
    Dim hmac, utf8, node
    Set utf8 = CreateObject("System.Text.UTF8Encoding")
    Set hmac = CreateObject("System.Security.Cryptography.HMACSHA256")
    hmac.Key = utf8.GetBytes_4(secret)
    Set node = CreateObject("MSXML2.DOMDocument.6.0").createElement("h")
    node.dataType = "bin.hex"
    node.nodeTypedValue = hmac.ComputeHash_2((utf8.GetBytes_4(appId & "." & outTradeNo & "." & exp)))
    StatusLinkSig = LCase(node.text)
    Set hmac = Nothing
    Set utf8 = Nothing
End Function
%>
<script language="JScript" runat="server">
function StatusUnixNowSeconds() { return Math.floor(new Date().getTime() / 1000); }
</script>
