<%
' ---------------------------------------------------------------------------------------------
' Telling the gateway about an order before the buyer pays (include this file).
'
'   <!--#include file="webhook_config.asp"-->
'   <!--#include file="register_order.asp"-->
'   ...
'   ' the order is saved; just before redirecting the buyer to Alipay:
'   Call RegisterExpectedOrder(orderNo, orderAmount, 30 * 60)
'
' With the order registered, the gateway asks Alipay (alipay.trade.query) about it while it is
' unpaid, so a payment whose notification never arrives still reaches notify.asp; and a payment of
' another amount is held for a person instead of being forwarded as paid. Registering never stands
' in the way of checkout: if the gateway cannot be reached in 5 seconds, the function returns False
' and the buyer pays as before (the notification still works).
'
' The page signs the registration with the gateway's STATUS_SECRET (set in webhook_config.asp):
'   sig = lowercase hex HMAC-SHA256(key = UTF-8 of STATUS_SECRET,
'                                   "order." & app_id & "." & out_trade_no & "." & total_amount & "." & expire)
' total_amount is yuan with exactly two decimals ("88.80"), expire Unix seconds: when the order can
' no longer be paid (the same timeout you give Alipay). Check your setup with this test vector:
'   STATUS_SECRET "status-secret-example-0123456789abcdef", app_id "2021000000000000",
'   out_trade_no "DEMO-20260501-0001", total_amount "88.80", expire 1777600000
'   -> 4d3f9cf2b7ebca08de3c5c422dd68844bb2a5726b150fedb00c057834f79e608
'
' Names start with "Order" so that this file can be included next to notify.asp's helpers.
' ---------------------------------------------------------------------------------------------

' True when the gateway accepted the registration. amount: yuan, a number (Currency or Double) or
' text with "." as the decimal point ("88.80"); payableSeconds: how long the buyer has to pay.
Function RegisterExpectedOrder(outTradeNo, amount, payableSeconds)
    Dim secret, totalAmount, expire, body, http
    RegisterExpectedOrder = False
    secret = OrderTrimmedSecret(STATUS_SECRET)
    If Len(secret) < 32 Or Len(outTradeNo) = 0 Then Exit Function
    totalAmount = OrderAmountText(amount)
    If totalAmount = "" Then Exit Function
    ' Whole Unix seconds, written as digits ("1777601800"): the signed text must be exactly the one
    ' the gateway rebuilds, and it refuses a fraction, whatever type payableSeconds arrives as.
    expire = CStr(Fix(OrderUnixNowSeconds() + CDbl(payableSeconds)))
    body = "app_id=" & Server.URLEncode(STATUS_APP_ID) & _
        "&out_trade_no=" & Server.URLEncode(outTradeNo) & _
        "&total_amount=" & totalAmount & _
        "&expire=" & expire & _
        "&sig=" & OrderRegistrationSig(secret, STATUS_APP_ID, outTradeNo, totalAmount, expire)
    On Error Resume Next
    Set http = CreateObject("MSXML2.ServerXMLHTTP.6.0")
    http.setTimeouts 5000, 5000, 5000, 5000
    http.open "POST", GATEWAY_BASE_URL & "/alipay/orders", False
    http.setRequestHeader "Content-Type", "application/x-www-form-urlencoded"
    http.send body
    If Err.Number = 0 Then RegisterExpectedOrder = (http.status = 200)
    On Error GoTo 0
    Set http = Nothing
End Function

' "88.80" whatever the server's regional settings: built from whole cents, so no decimal comma
' or digit grouping of the locale can get in (FormatNumber would, and it reads text such as
' "88.80" by the locale: 8880 where "," is the decimal point). Text is read here with "." as the
' decimal point. "" when the amount is not more than 0 with at most two decimals.
Function OrderAmountText(amount)
    Dim pattern, parts, cents, yuan
    OrderAmountText = ""
    If VarType(amount) = vbString Then
        Set pattern = New RegExp
        pattern.Pattern = "^([0-9]{1,11})(\.([0-9]{1,2}))?$"
        If Not pattern.Test(amount) Then Exit Function
        Set parts = pattern.Execute(amount)(0)
        cents = CCur(parts.SubMatches(0)) * 100 + CCur(Left(parts.SubMatches(2) & "00", 2))
    Else
        cents = CCur(amount) * 100             ' Currency: exact to 1/10000, no binary fractions
        If cents <> Fix(cents) Then Exit Function   ' a fraction of a cent
    End If
    If cents <= 0 Then Exit Function
    yuan = Fix(cents / 100)
    OrderAmountText = CStr(yuan) & "." & Right("0" & CStr(cents - yuan * 100), 2)
End Function

' STATUS_SECRET without the spaces, tabs or line breaks a paste can leave around it: the gateway
' trims its STATUS_SECRET the same way, so both sides sign with the same key.
Function OrderTrimmedSecret(secret)
    Dim pattern
    Set pattern = New RegExp
    pattern.Pattern = "^\s+|\s+$"
    pattern.Global = True
    OrderTrimmedSecret = pattern.Replace(secret, "")
End Function

Function OrderRegistrationSig(secret, appId, outTradeNo, totalAmount, expire)
    Dim hmac, utf8, node
    Set utf8 = CreateObject("System.Text.UTF8Encoding")
    Set hmac = CreateObject("System.Security.Cryptography.HMACSHA256")
    hmac.Key = utf8.GetBytes_4(secret)
    Set node = CreateObject("MSXML2.DOMDocument.6.0").createElement("h")
    node.dataType = "bin.hex"
    node.nodeTypedValue = hmac.ComputeHash_2((utf8.GetBytes_4("order." & appId & "." & outTradeNo & "." & totalAmount & "." & expire)))
    OrderRegistrationSig = LCase(node.text)
    Set hmac = Nothing
    Set utf8 = Nothing
End Function
%>
<script language="JScript" runat="server">
function OrderUnixNowSeconds() { return Math.floor(new Date().getTime() / 1000); }
</script>
