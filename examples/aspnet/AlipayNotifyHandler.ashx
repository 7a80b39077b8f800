<%@ WebHandler Language="C#" Class="AlipayNotify.AlipayNotifyHandler" %>
