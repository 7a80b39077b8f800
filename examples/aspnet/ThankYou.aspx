<%@ Page Language="C#" %>
<%-- A "thank you" page after checkout that shows the payment status live (AlipayStatusWidget.cs).
     The order number comes from the visitor's Session, set when they placed the order: never sign
     an order number taken from the URL alone. --%>
<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>感谢您的订购</title></head>
<body>
<% string orderNo = Convert.ToString(Session["out_trade_no"]); %>
<h1>感谢您的订购</h1>
<p>订单号：<%: orderNo %></p>
<p>支付状态：<%: AlipayNotify.AlipayStatusWidget.Html(orderNo, "zh") %></p>
</body>
</html>
