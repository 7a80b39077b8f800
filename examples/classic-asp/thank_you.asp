<%@ Language="VBScript" CodePage=65001 %>
<%
Option Explicit
' A "thank you" page after checkout that shows the payment status live (status_widget.asp).
' The order number comes from the visitor's Session, set when they placed the order: never
' sign an order number taken from the URL alone.
%>
<!--#include file="webhook_config.asp"-->
<!--#include file="status_widget.asp"-->
<%
Dim orderNo
Response.CharSet = "utf-8"
Response.AddHeader "Cache-Control", "no-store"
orderNo = CStr(Session("out_trade_no"))
%>
<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>感谢您的订购</title></head>
<body>
<h1>感谢您的订购</h1>
<p>订单号：<%= Server.HTMLEncode(orderNo) %></p>
<p>支付状态：<%= StatusWidgetHtml(orderNo, "zh") %></p>
</body>
</html>
