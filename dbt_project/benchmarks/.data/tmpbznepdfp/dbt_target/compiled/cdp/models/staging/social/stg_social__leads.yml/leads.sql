
-- Fixture for leads
select 
    
    cast('l:1' as character varying)
 as "id", cast(null as TIMESTAMP WITH TIME ZONE) as "created_time", cast(null as character varying(256)) as "ad_id", cast(null as character varying(256)) as "ad_name", cast(null as character varying(256)) as "adset_id", cast(null as character varying(256)) as "adset_name", cast(null as character varying(256)) as "campaign_id", cast(null as character varying(256)) as "campaign_name", cast(null as character varying(256)) as "form_id", cast(null as character varying(256)) as "form_name", 
    
    cast('false' as character varying)
 as "is_organic", cast(null as character varying(256)) as "platform", 
    
    cast('NGUYỄN VĂN ĐỨC' as character varying)
 as "full_name", 
    
    cast('Duc@Gmail.com' as character varying)
 as "email", 
    
    cast('p:+84912345678' as character varying)
 as "phone_number", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('l:2' as character varying)
 as "id", cast(null as TIMESTAMP WITH TIME ZONE) as "created_time", cast(null as character varying(256)) as "ad_id", cast(null as character varying(256)) as "ad_name", cast(null as character varying(256)) as "adset_id", cast(null as character varying(256)) as "adset_name", cast(null as character varying(256)) as "campaign_id", cast(null as character varying(256)) as "campaign_name", cast(null as character varying(256)) as "form_id", cast(null as character varying(256)) as "form_name", 
    
    cast('true' as character varying)
 as "is_organic", cast(null as character varying(256)) as "platform", 
    
    cast('nguyen van duc' as character varying)
 as "full_name", 
    
    cast('' as character varying)
 as "email", 
    
    cast('p:0000000000' as character varying)
 as "phone_number", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"