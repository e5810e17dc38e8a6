"""Donors by place: the states choropleth, ZIP3 bins and the debate-threshold panel."""
