<%@ Language="VBScript" CodePage=65001 %>
<%
Option Explicit
' ---------------------------------------------------------------------------------------------
' Classic ASP receiver for alipay-notify-edge (FORWARD_FORMAT=form, the default).
'
' The gateway has already verified Alipay's RSA signature. It POSTs every paid order here
' once, with the ORIGINAL Alipay form body and three Standard Webhooks headers:
'   webhook-id         stable per event: our idempotency key
'   webhook-timestamp  Unix seconds of this attempt
'   webhook-signature  "v1,<base64 HMAC-SHA256(key, id & "." & timestamp & "." & body)>"
'                      (several entries separated by spaces while a secret is being rotated)
' This page checks that signature over the exact body bytes, refuses stale timestamps,
' credits the order once per webhook-id inside one database transaction, and prints exactly
' "success". Anything else makes the gateway try again later (and finally list the event as a
' dead letter for you to look at), so a temporary failure never loses a payment.
'
' Needs IIS with classic ASP, MSXML 6 and ADO (part of every supported Windows), and the
' COM-visible .NET classes HMACSHA256 and UTF8Encoding: on Windows Server 2012 and later these
' are registered for scripts only once the ".NET Framework 3.5 Features" are installed (Server
' Manager -> Add Roles and Features -> Features); without them CreateObject fails (README.md).
' It reads Alipay's original form (FORWARD_FORMAT=form, the default): any other body gets 415.
' Settings (secret, connection string) live in webhook_config.asp: see README.md.
' ---------------------------------------------------------------------------------------------
%>
<!--#include file="webhook_config.asp"-->
<script language="JScript" runat="server">
// VBScript's Now() is local time; the webhook timestamp is UTC Unix seconds. JScript's Date
// counts from the Unix epoch in UTC, so the page borrows it for this one function.
function UnixNowSeconds() { return Math.floor(new Date().getTime() / 1000); }
</script>
<%
Const MAX_BODY_BYTES = 65536     ' an Alipay notification is a few KiB
Const TOLERANCE_SECONDS = 300    ' refuse deliveries signed more than 5 minutes ago (or ahead)
Const ADO_VARCHAR = 200          ' ADO parameter types (adVarChar): VARCHAR columns
Const ADO_NVARCHAR = 202         ' (adVarWChar): NVARCHAR columns

Dim byteCount, body, webhookId, problem, charset, fields, outcome

If Request.ServerVariables("REQUEST_METHOD") <> "POST" Then Finish "405 Method Not Allowed", "method-not-allowed"
byteCount = Request.TotalBytes
If byteCount <= 0 Then Finish "400 Bad Request", "empty-body"
If byteCount > MAX_BODY_BYTES Then Finish "413 Request Entity Too Large", "body-too-large"

' 1. The exact bytes. The signature covers them, so nothing may decode or re-encode them first.
'    (After BinaryRead, ASP refuses Request.Form, and never use Request("x") either: it would
'    search Request.Form. The fields are parsed below from these same verified bytes.)
body = Request.BinaryRead(byteCount)

' 2. Standard Webhooks signature and timestamp. IIS exposes request header "webhook-id" as
'    server variable HTTP_WEBHOOK_ID (dashes become underscores).
webhookId = Request.ServerVariables("HTTP_WEBHOOK_ID")
problem = VerifyWebhook(body, webhookId, _
    Request.ServerVariables("HTTP_WEBHOOK_TIMESTAMP"), _
    Request.ServerVariables("HTTP_WEBHOOK_SIGNATURE"), _
    WEBHOOK_SECRETS)
If problem <> "" Then
    Response.AppendToLog "webhook-rejected:" & problem
    ' 403 rather than 401: IIS authentication modules rewrite 401 answers.
    If problem = "missing-webhook-headers" Or problem = "bad-webhook-id" Or problem = "bad-timestamp" Then
        Finish "400 Bad Request", problem
    ElseIf problem = "secret-not-configured" Then
        Finish "500 Internal Server Error", problem
    Else
        Finish "403 Forbidden", problem
    End If
End If

' 3. Fields, decoded with the charset Alipay signed (the gateway repeats it in Content-Type:
'    "application/x-www-form-urlencoded; charset=gbk"). A JSON event (FORWARD_FORMAT=json) or any
'    other body is refused before anything is stored: the gateway retries, then dead-letters it.
If Not IsFormContentType(Request.ServerVariables("CONTENT_TYPE")) Then Finish "415 Unsupported Media Type", "form-format-expected"
charset = AdoCharset(Request.ServerVariables("CONTENT_TYPE"))
If charset = "" Then Finish "415 Unsupported Media Type", "unknown-charset"
Set fields = ParseAlipayForm(body, charset)

' 4. Record the webhook-id and credit the order in one transaction.
outcome = RecordDelivery(webhookId, fields)
Response.AppendToLog "webhook-" & outcome
Select Case outcome
    Case "credited", "already-processed", "already-paid", "recorded"
        Finish "200 OK", "success"
    Case "bad-amount"
        Finish "400 Bad Request", outcome
    Case "unknown-order", "amount-mismatch", "missing-out-trade-no", "unknown-trade-status"
        ' Not "success" on purpose: the gateway retries, then lists it as a dead letter. Never
        ' answer "success" to what this page cannot judge: a payment would be lost unseen.
        Finish "422 Unprocessable Entity", outcome
    Case "order-not-payable"
        Finish "409 Conflict", outcome
    Case Else
        Finish "503 Service Unavailable", outcome
End Select

' =============================================================================================
' Standard Webhooks verification
' =============================================================================================

' Returns "" when the delivery is authentic and fresh, otherwise the reason.
Function VerifyWebhook(bodyBytes, id, timestamp, signatureHeader, secretsSetting)
    Dim age, signedBytes, secrets, offered, i, j, expected, matched, keyCount
    If Len(id) = 0 Or Len(timestamp) = 0 Or Len(signatureHeader) = 0 Then
        VerifyWebhook = "missing-webhook-headers"
        Exit Function
    End If
    ' processed_webhooks.webhook_id is VARCHAR(64): a longer id would be cut, and a character
    ' outside the database's code page stored as "?", so two ids could become one row (the second
    ' delivery "already processed", never credited). Printable ASCII only, 64 at most.
    If Len(id) > 64 Or Not IsPrintableAscii(id) Then
        VerifyWebhook = "bad-webhook-id"
        Exit Function
    End If
    If Len(timestamp) > 12 Or Not IsDigits(timestamp) Then
        VerifyWebhook = "bad-timestamp"
        Exit Function
    End If
    age = UnixNowSeconds() - CDbl(timestamp)
    If age > TOLERANCE_SECONDS Then
        VerifyWebhook = "timestamp-too-old"
        Exit Function
    End If
    If age < -TOLERANCE_SECONDS Then
        VerifyWebhook = "timestamp-too-new"
        Exit Function
    End If

    ' Signed content: UTF-8 "<id>.<timestamp>." followed by the body bytes as received.
    signedBytes = ConcatBytes(Utf8Bytes(id & "." & timestamp & "."), bodyBytes)

    secrets = Split(Trim(secretsSetting), " ")
    offered = Split(Trim(signatureHeader), " ")
    matched = False
    keyCount = 0
    For i = 0 To UBound(secrets)
        If Left(secrets(i), 6) = "whsec_" Then
            keyCount = keyCount + 1
            expected = "v1," & BytesToBase64(HmacSha256(Base64ToBytes(Mid(secrets(i), 7)), signedBytes))
            ' Compare against every offered entry, never stopping early.
            For j = 0 To UBound(offered)
                If ConstantTimeEquals(offered(j), expected) Then matched = True
            Next
        End If
    Next
    If keyCount = 0 Then
        VerifyWebhook = "secret-not-configured"
    ElseIf matched Then
        VerifyWebhook = ""
    Else
        VerifyWebhook = "signature-mismatch"
    End If
End Function

' Looks at every character whatever differs first, so the time taken does not reveal how
' much of a forged signature was right. (The length of a signature is public: 47 characters.)
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
    ' ComputeHash_2 is the ComputeHash(byte[]) overload as COM names it; the extra
    ' parentheses pass the array by value, which .NET interop expects.
    HmacSha256 = hmac.ComputeHash_2((dataBytes))
    Set hmac = Nothing
End Function

Function Utf8Bytes(text)
    Dim utf8
    Set utf8 = CreateObject("System.Text.UTF8Encoding")
    Utf8Bytes = utf8.GetBytes_4(text)   ' GetBytes(string)
    Set utf8 = Nothing
End Function

Function ConcatBytes(headBytes, tailBytes)
    Dim stream
    Set stream = CreateObject("ADODB.Stream")
    stream.Type = 1   ' adTypeBinary
    stream.Open
    stream.Write headBytes
    stream.Write tailBytes
    stream.Position = 0
    ConcatBytes = stream.Read
    stream.Close
End Function

' Base64 and hex through MSXML's typed nodes (bin.base64 / bin.hex).
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
    BytesToBase64 = Replace(Replace(node.text, vbLf, ""), vbCr, "")   ' MSXML wraps long output
End Function

Function BytesToHex(bytes)
    Dim node
    Set node = CreateObject("MSXML2.DOMDocument.6.0").createElement("h")
    node.dataType = "bin.hex"
    node.nodeTypedValue = bytes
    BytesToHex = UCase(node.text)
End Function

Function HexToBytes(hexText)
    Dim node
    Set node = CreateObject("MSXML2.DOMDocument.6.0").createElement("h")
    node.dataType = "bin.hex"
    node.text = hexText
    HexToBytes = node.nodeTypedValue
End Function

Function IsPrintableAscii(text)
    Dim pattern
    Set pattern = New RegExp
    pattern.Pattern = "^[\x21-\x7E]+$"
    IsPrintableAscii = pattern.Test(text)
End Function

Function IsDigits(text)
    Dim pattern
    Set pattern = New RegExp
    pattern.Pattern = "^[0-9]+$"
    IsDigits = pattern.Test(text)
End Function

' =============================================================================================
' The Alipay form, parsed from the verified bytes the way Alipay signs it
' =============================================================================================

' True for "application/x-www-form-urlencoded", with or without parameters such as charset.
Function IsFormContentType(contentType)
    Dim mediaType, semicolon
    mediaType = contentType
    semicolon = InStr(mediaType, ";")
    If semicolon > 0 Then mediaType = Left(mediaType, semicolon - 1)
    IsFormContentType = (LCase(Trim(mediaType)) = "application/x-www-form-urlencoded")
End Function

' The ADO name of the charset in Content-Type; "" when it is not one Alipay uses.
Function AdoCharset(contentType)
    Dim pattern, matches, name
    Set pattern = New RegExp
    pattern.Pattern = "charset\s*=\s*""?([A-Za-z0-9_\-]+)"
    pattern.IgnoreCase = True
    Set matches = pattern.Execute(contentType)
    name = "utf-8"
    If matches.Count > 0 Then name = LCase(matches(0).SubMatches(0))
    Select Case name
        Case "utf-8", "utf8"
            AdoCharset = "utf-8"
        Case "gbk", "gb2312"
            AdoCharset = "gb2312"      ' Windows code page 936, which is GBK
        Case "gb18030"
            AdoCharset = "gb18030"
        Case Else
            AdoCharset = ""
    End Select
End Function

' Splits the BYTES on "&" and the first "=", percent-decodes to bytes ("+" is a space), then
' decodes each key and value with the charset. A "%26" inside a value stays in that value.
' Works on the hex text of the body: two hex digits per byte.
Function ParseAlipayForm(bodyBytes, charset)
    Dim fields, hexText, byteCount, i, byteHex, decoded, keyHex, valueHex, inValue
    Set fields = CreateObject("Scripting.Dictionary")
    hexText = BytesToHex(bodyBytes)
    byteCount = Len(hexText) \ 2
    keyHex = ""
    valueHex = ""
    inValue = False
    i = 1
    Do While i <= byteCount + 1
        If i > byteCount Then
            byteHex = "26"                      ' the end of the body ends the last parameter
        Else
            byteHex = Mid(hexText, i * 2 - 1, 2)
        End If
        If byteHex = "26" Then                  ' "&"
            If Len(keyHex) > 0 Then fields(DecodeBytes(keyHex, charset)) = DecodeBytes(valueHex, charset)
            keyHex = ""
            valueHex = ""
            inValue = False
        ElseIf byteHex = "3D" And Not inValue Then   ' the first "="
            inValue = True
        Else
            decoded = byteHex
            If byteHex = "2B" Then              ' "+"
                decoded = "20"
            ElseIf byteHex = "25" And i + 2 <= byteCount Then   ' "%" and two more bytes
                decoded = PercentEscape(Mid(hexText, i * 2 + 1, 4))
                If decoded = "" Then
                    decoded = "25"              ' a lone "%" stays a "%"
                Else
                    i = i + 2
                End If
            End If
            If inValue Then
                valueHex = valueHex & decoded
            Else
                keyHex = keyHex & decoded
            End If
        End If
        i = i + 1
    Loop
    Set ParseAlipayForm = fields
End Function

' "4334" (the bytes of the text "C4") -> "C4"; "" when they are not two hex digits.
Function PercentEscape(fourHex)
    Dim highDigit, lowDigit
    highDigit = ChrW(CLng("&H" & Left(fourHex, 2)))
    lowDigit = ChrW(CLng("&H" & Right(fourHex, 2)))
    If InStr(1, "0123456789ABCDEFabcdef", highDigit, 0) > 0 And InStr(1, "0123456789ABCDEFabcdef", lowDigit, 0) > 0 Then
        PercentEscape = UCase(highDigit & lowDigit)
    Else
        PercentEscape = ""
    End If
End Function

Function DecodeBytes(hexText, charset)
    Dim stream
    If Len(hexText) = 0 Then
        DecodeBytes = ""
        Exit Function
    End If
    Set stream = CreateObject("ADODB.Stream")
    stream.Type = 1            ' adTypeBinary
    stream.Open
    stream.Write HexToBytes(hexText)
    stream.Position = 0
    stream.Type = 2            ' adTypeText: only allowed at position 0
    stream.Charset = charset
    DecodeBytes = stream.ReadText
    stream.Close
End Function

Function FieldValue(fields, name)
    If fields.Exists(name) Then
        FieldValue = fields(name)
    Else
        FieldValue = ""
    End If
End Function

' What the notification means, decided from the SIGNED body (never from the informational
' x-alipay-* headers) the way the gateway decides it; an empty value counts as absent:
'   "paid"      TRADE_FINISHED or WAIT_SELLER_SEND_GOODS (legacy escrow: the buyer has paid),
'               whatever refund fields they carry (a cumulative refund_fee on TRADE_FINISHED is
'               history: the gateway forwards it as the order's paid event), and TRADE_SUCCESS
'               without refund fields: credit the order;
'   "recorded"  WAIT_BUYER_PAY, TRADE_CLOSED, TRADE_SUCCESS with a refund field: nothing to credit;
'   otherwise   "missing-out-trade-no" or "unknown-trade-status": it cannot be judged here.
Function ClassifyNotification(fields)
    If FieldValue(fields, "out_trade_no") = "" Then
        ClassifyNotification = "missing-out-trade-no"
        Exit Function
    End If
    Select Case FieldValue(fields, "trade_status")
        Case "TRADE_FINISHED", "WAIT_SELLER_SEND_GOODS"
            ClassifyNotification = "paid"
        Case "TRADE_SUCCESS"
            If HasRefundField(fields) Then
                ClassifyNotification = "recorded"
            Else
                ClassifyNotification = "paid"
            End If
        Case "WAIT_BUYER_PAY", "TRADE_CLOSED"
            ClassifyNotification = "recorded"
        Case Else
            ClassifyNotification = "unknown-trade-status"
    End Select
End Function

' A refund is told apart by its refund fields. refund_fee=0.00 appears on plain payments, so a
' zero fee does not count; a fee that is not an amount still does.
Function HasRefundField(fields)
    Dim refundFee, zero
    refundFee = FieldValue(fields, "refund_fee")
    Set zero = New RegExp
    zero.Pattern = "^0+(\.0+)?$"
    HasRefundField = FieldValue(fields, "gmt_refund") <> "" Or FieldValue(fields, "out_biz_no") <> "" _
        Or (refundFee <> "" And Not zero.Test(refundFee))
End Function

' Decimal text as Alipay writes it ("88", "88.8", "88.80"): no sign, no exponent, cents at most.
Function IsAmount(text)
    Dim pattern
    Set pattern = New RegExp
    pattern.Pattern = "^[0-9]{1,10}(\.[0-9]{1,2}0*)?$"
    IsAmount = pattern.Test(text)
End Function

' =============================================================================================
' Database: idempotency and the order update in ONE transaction (SQL Server syntax; see README)
' =============================================================================================

' Returns credited | already-processed | already-paid | recorded | bad-amount |
' missing-out-trade-no | unknown-trade-status | unknown-order | amount-mismatch |
' order-not-payable | database-error.
Function RecordDelivery(id, fields)
    Dim conn, outTradeNo, amountText, kind, paid, affected, credited, seen, why
    outTradeNo = FieldValue(fields, "out_trade_no")
    amountText = FieldValue(fields, "total_amount")
    If amountText = "" Then amountText = FieldValue(fields, "total_fee")   ' legacy mapi name
    kind = ClassifyNotification(fields)
    If kind <> "paid" And kind <> "recorded" Then
        RecordDelivery = kind  ' not judged, not stored: retried, then a dead letter a person sees
        Exit Function
    End If
    paid = (kind = "paid")
    If paid And Not IsAmount(amountText) Then
        RecordDelivery = "bad-amount"
        Exit Function
    End If

    Set conn = CreateObject("ADODB.Connection")
    conn.Open SHOP_CONNECTION_STRING
    conn.BeginTrans

    ' Seen this webhook-id before? Then it was fully processed: say success again.
    Set seen = QueryOne(conn, "SELECT COUNT(*) AS n FROM processed_webhooks WHERE webhook_id = ?", Array(id), Array(ADO_VARCHAR))
    If seen("n") > 0 Then
        seen.Close
        conn.RollbackTrans
        conn.Close
        RecordDelivery = "already-processed"
        Exit Function
    End If
    seen.Close

    ' Remember it. The primary key on webhook_id also stops a concurrent twin: its INSERT fails,
    ' it answers 503, and its retry finds the row above.
    If Not TryExecute(conn, "INSERT INTO processed_webhooks (webhook_id, out_trade_no, trade_status, received_at) " & _
            "VALUES (?, ?, ?, GETUTCDATE())", Array(id, outTradeNo, FieldValue(fields, "trade_status")), _
            Array(ADO_VARCHAR, ADO_NVARCHAR, ADO_VARCHAR), affected) Then
        conn.RollbackTrans
        conn.Close
        RecordDelivery = "database-error"
        Exit Function
    End If

    If Not paid Then
        conn.CommitTrans       ' waiting, closed or a refund (if you forward them): recorded, not credited
        conn.Close
        RecordDelivery = "recorded"
        Exit Function
    End If

    ' Credit only an UNPAID order whose amount matches (compared as decimals by the database).
    ' The UPDATE's own count decides (@@ROWCOUNT right after it): RecordsAffected also counts the
    ' rows triggers change, so an audit trigger that logs even an UPDATE that changed nothing
    ' would make a mismatch look credited.
    credited = TryRowCount(conn, "SET NOCOUNT ON; " & _
            "UPDATE orders SET status = 'paid', paid_at = GETUTCDATE(), alipay_trade_no = ? " & _
            "WHERE out_trade_no = ? AND status = 'unpaid' AND amount = CAST(? AS DECIMAL(12,2)); " & _
            "SELECT @@ROWCOUNT AS credited;", _
            Array(FieldValue(fields, "trade_no"), outTradeNo, amountText), Array(ADO_VARCHAR, ADO_NVARCHAR, ADO_VARCHAR))
    If credited < 0 Then
        conn.RollbackTrans
        conn.Close
        RecordDelivery = "database-error"
        Exit Function
    End If
    If credited = 1 Then
        conn.CommitTrans
        conn.Close
        RecordDelivery = "credited"
        Exit Function
    End If

    why = WhyNotCredited(conn, outTradeNo, amountText)
    If why = "already-paid" Then
        conn.CommitTrans       ' paid through another path already: remember the id, say success
    Else
        conn.RollbackTrans     ' nothing stored: after you fix the order, the retry is judged again
    End If
    conn.Close
    RecordDelivery = why
End Function

Function WhyNotCredited(conn, outTradeNo, amountText)
    Dim rs
    Set rs = QueryOne(conn, "SELECT status, CASE WHEN amount = CAST(? AS DECIMAL(12,2)) THEN 1 ELSE 0 END AS amount_matches " & _
        "FROM orders WHERE out_trade_no = ?", Array(amountText, outTradeNo), Array(ADO_VARCHAR, ADO_NVARCHAR))
    If rs.EOF Then
        WhyNotCredited = "unknown-order"
    ElseIf rs("amount_matches") = 0 Then
        WhyNotCredited = "amount-mismatch"
    ElseIf rs("status") = "paid" Then
        WhyNotCredited = "already-paid"
    Else
        WhyNotCredited = "order-not-payable"
    End If
    rs.Close
End Function

' Parameterized command ("?" placeholders, every value passed as text): no SQL injection.
' types(i) is the ADO type of values(i), matching its column: ADO_VARCHAR for VARCHAR,
' ADO_NVARCHAR for NVARCHAR. An NVARCHAR parameter compared with a VARCHAR column makes SQL
' Server convert the column on every row, so the key on webhook_id could not be used to seek.
Function NewCommand(conn, sql, values, types)
    Dim cmd, i, size
    Set cmd = CreateObject("ADODB.Command")
    Set cmd.ActiveConnection = conn
    cmd.CommandType = 1        ' adCmdText
    cmd.CommandText = sql
    For i = 0 To UBound(values)
        size = Len(values(i))
        If size < 1 Then size = 1
        cmd.Parameters.Append cmd.CreateParameter("p" & i, types(i), 1, size, values(i))   ' 1 = adParamInput
    Next
    Set NewCommand = cmd
End Function

Function QueryOne(conn, sql, values, types)
    Set QueryOne = NewCommand(conn, sql, values, types).Execute
End Function

' True when the statement ran; "affected" receives the number of rows it changed.
Function TryExecute(conn, sql, values, types, affected)
    Dim cmd
    Set cmd = NewCommand(conn, sql, values, types)
    On Error Resume Next
    cmd.Execute affected, , 128   ' adExecuteNoRecords
    TryExecute = (Err.Number = 0)
    On Error GoTo 0
End Function

' Runs a batch that ends in "SELECT @@ROWCOUNT" and returns that number, or -1 when it failed.
' SET NOCOUNT ON at its start keeps row counts from arriving as extra, closed recordsets; any
' that still come (a trigger that switches NOCOUNT off) are skipped to reach the one-row result.
Function TryRowCount(conn, sql, values, types)
    Dim rs
    TryRowCount = -1
    On Error Resume Next
    Set rs = NewCommand(conn, sql, values, types).Execute
    Do While Err.Number = 0
        If rs Is Nothing Then Exit Do
        If rs.State = 1 Then           ' adStateOpen: the row of SELECT @@ROWCOUNT
            TryRowCount = CLng(rs.Fields(0).Value)
            rs.Close
            Exit Do
        End If
        Set rs = rs.NextRecordset      ' a closed recordset: a row count, skip it
    Loop
    If Err.Number <> 0 Then TryRowCount = -1
    On Error GoTo 0
End Function

' =============================================================================================

' Ends the page with exactly this body: no BOM, no HTML, no trailing newline.
Sub Finish(statusLine, text)
    Response.Clear
    Response.Status = statusLine
    Response.ContentType = "text/plain"
    Response.Write text
    Response.End
End Sub
%>
