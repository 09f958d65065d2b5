
-- Fixture for order_lines
select 
    
    cast('#1001' as character varying)
 as "name", cast(null as character varying(256)) as "email", 
    
    cast('paid' as character varying)
 as "financial_status", cast(null as TIMESTAMP WITH TIME ZONE) as "paid_at", cast(null as character varying(256)) as "fulfillment_status", cast(null as character varying(256)) as "accepts_marketing", cast(null as character varying(256)) as "currency", cast(null as DECIMAL(18,2)) as "subtotal", cast(null as DECIMAL(18,2)) as "shipping", cast(null as DECIMAL(18,2)) as "taxes", 
    
    cast(100.0 as DECIMAL(18,2))
 as "total", cast(null as character varying(256)) as "discount_code", cast(null as DECIMAL(18,2)) as "discount_amount", cast(null as TIMESTAMP WITH TIME ZONE) as "created_at", 
    
    cast('1' as character varying)
 as "lineitem_quantity", cast(null as character varying(256)) as "lineitem_name", cast(null as DECIMAL(18,2)) as "lineitem_price", cast(null as character varying(256)) as "lineitem_sku", cast(null as character varying(256)) as "billing_name", cast(null as character varying(256)) as "billing_address1", cast(null as character varying(256)) as "billing_city", cast(null as character varying(256)) as "billing_country", cast(null as character varying(256)) as "billing_phone", cast(null as TIMESTAMP WITH TIME ZONE) as "cancelled_at", cast(null as character varying(256)) as "payment_method", 
    
    cast(0.0 as DECIMAL(18,2))
 as "refunded_amount", cast(null as character varying(256)) as "location", cast(null as character varying(256)) as "id", cast(null as character varying(256)) as "source", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id", 
    
    cast(1 as BIGINT)
 as "line_position", cast(null as character varying(256)) as "phone"
union all
select 
    
    cast('#1001' as character varying)
 as "name", cast(null as character varying(256)) as "email", cast(null as character varying(256)) as "financial_status", cast(null as TIMESTAMP WITH TIME ZONE) as "paid_at", cast(null as character varying(256)) as "fulfillment_status", cast(null as character varying(256)) as "accepts_marketing", cast(null as character varying(256)) as "currency", cast(null as DECIMAL(18,2)) as "subtotal", cast(null as DECIMAL(18,2)) as "shipping", cast(null as DECIMAL(18,2)) as "taxes", cast(null as DECIMAL(18,2)) as "total", cast(null as character varying(256)) as "discount_code", cast(null as DECIMAL(18,2)) as "discount_amount", cast(null as TIMESTAMP WITH TIME ZONE) as "created_at", 
    
    cast('2' as character varying)
 as "lineitem_quantity", cast(null as character varying(256)) as "lineitem_name", cast(null as DECIMAL(18,2)) as "lineitem_price", cast(null as character varying(256)) as "lineitem_sku", cast(null as character varying(256)) as "billing_name", cast(null as character varying(256)) as "billing_address1", cast(null as character varying(256)) as "billing_city", cast(null as character varying(256)) as "billing_country", cast(null as character varying(256)) as "billing_phone", cast(null as TIMESTAMP WITH TIME ZONE) as "cancelled_at", cast(null as character varying(256)) as "payment_method", cast(null as DECIMAL(18,2)) as "refunded_amount", cast(null as character varying(256)) as "location", cast(null as character varying(256)) as "id", cast(null as character varying(256)) as "source", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id", 
    
    cast(2 as BIGINT)
 as "line_position", cast(null as character varying(256)) as "phone"
union all
select 
    
    cast('#1001' as character varying)
 as "name", cast(null as character varying(256)) as "email", 
    
    cast('refunded' as character varying)
 as "financial_status", cast(null as TIMESTAMP WITH TIME ZONE) as "paid_at", cast(null as character varying(256)) as "fulfillment_status", cast(null as character varying(256)) as "accepts_marketing", cast(null as character varying(256)) as "currency", cast(null as DECIMAL(18,2)) as "subtotal", cast(null as DECIMAL(18,2)) as "shipping", cast(null as DECIMAL(18,2)) as "taxes", 
    
    cast(100.0 as DECIMAL(18,2))
 as "total", cast(null as character varying(256)) as "discount_code", cast(null as DECIMAL(18,2)) as "discount_amount", cast(null as TIMESTAMP WITH TIME ZONE) as "created_at", 
    
    cast('1' as character varying)
 as "lineitem_quantity", cast(null as character varying(256)) as "lineitem_name", cast(null as DECIMAL(18,2)) as "lineitem_price", cast(null as character varying(256)) as "lineitem_sku", cast(null as character varying(256)) as "billing_name", cast(null as character varying(256)) as "billing_address1", cast(null as character varying(256)) as "billing_city", cast(null as character varying(256)) as "billing_country", cast(null as character varying(256)) as "billing_phone", cast(null as TIMESTAMP WITH TIME ZONE) as "cancelled_at", cast(null as character varying(256)) as "payment_method", 
    
    cast(100.0 as DECIMAL(18,2))
 as "refunded_amount", cast(null as character varying(256)) as "location", cast(null as character varying(256)) as "id", cast(null as character varying(256)) as "source", cast(null as character varying(256)) as "_record_hash", 
    
    cast('b.csv' as character varying)
 as "_source_file", 
    
    cast('2.0' as character varying)
 as "_dlt_load_id", 
    
    cast(1 as BIGINT)
 as "line_position", cast(null as character varying(256)) as "phone"