"""The shapes of the public catalog's answers, for the OpenAPI document (components PublicMatter, PublicGuide,
PublicWindow). The services build the answers as plain data; these only describe them."""

from __future__ import annotations

from marshmallow import Schema, fields


class NamedCodeSchema(Schema):
    __component_name__ = "PublicNamedCode"

    code = fields.String(required=True)
    name = fields.String(required=True)


class PublicMatterSchema(Schema):
    """A published matter as the list shows it."""

    __component_name__ = "PublicMatter"

    code = fields.String(required=True, metadata={"description": "事项编码"})
    name = fields.String(required=True, metadata={"description": "事项名称"})
    line = fields.String(required=True, metadata={"description": "业务条线 code"})
    line_name = fields.String(required=True)
    handling_types = fields.List(fields.Nested(NamedCodeSchema), required=True)
    legal_limit_days = fields.Integer(required=True, metadata={"description": "法定时限 (working days)"})
    promised_limit_days = fields.Integer(required=True, metadata={"description": "承诺时限 (working days)"})
    visits = fields.Integer(required=True, metadata={"description": "到现场次数"})


class PublicMaterialSchema(Schema):
    __component_name__ = "PublicMaterial"

    seq = fields.Integer(required=True)
    name = fields.String(required=True)
    copies = fields.Integer(required=True)
    form = fields.String(required=True, metadata={"description": "original, copy or scan"})
    form_label = fields.String(required=True, metadata={"description": "原件, 复印件 or 扫描件"})
    required = fields.Boolean(required=True)
    original_check = fields.Boolean(required=True, metadata={"description": "the window sees the original"})
    deferrable = fields.Boolean(required=True, metadata={"description": "可容缺"})
    note = fields.String(required=True)
    sample_url = fields.String(required=True, allow_none=True,
                               metadata={"description": "the sample form (样本样表) to download; null when none"})


class PublicFaqSchema(Schema):
    __component_name__ = "PublicFaq"

    question = fields.String(required=True)
    answer = fields.String(required=True)


class PublicWindowSchema(Schema):
    """A cross-region window (跨域通办综合窗口) of ours."""

    __component_name__ = "PublicWindow"

    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "center (政务服务中心) or station (便民服务中心(站))"})
    region = fields.String(required=True, metadata={"description": "the region's full name (广元市利州区)"})
    address = fields.String(required=True)
    postcode = fields.String(required=True)
    hours = fields.String(required=True)
    phone = fields.String(required=True)
    hotline = fields.String(required=True)
    handling_types = fields.List(fields.Nested(NamedCodeSchema), required=True,
                                 metadata={"description": "the handling types that cover its region"})


class PublicGuideSchema(PublicMatterSchema):
    """The current published guide (办事指南) of a matter, with every element it carries."""

    __component_name__ = "PublicGuide"

    version = fields.Integer(required=True)
    published_on = fields.Date(required=True)
    authority = fields.String(required=True, metadata={"description": "实施机关/主管部门"})
    legal_basis = fields.String(required=True, metadata={"description": "设定依据"})
    acceptance_conditions = fields.String(required=True, metadata={"description": "受理条件"})
    materials = fields.List(fields.Nested(PublicMaterialSchema), required=True, metadata={"description": "申请材料"})
    process_steps = fields.List(fields.String(), required=True, metadata={"description": "办理流程"})
    fee_note = fields.String(required=True, metadata={"description": "收费标准 (不收费 when there is none)"})
    consult_phone = fields.String(required=True, metadata={"description": "咨询方式"})
    complaint_phone = fields.String(required=True, metadata={"description": "监督投诉方式"})
    faq = fields.List(fields.Nested(PublicFaqSchema), required=True, metadata={"description": "常见问题"})
    windows = fields.List(fields.Nested(PublicWindowSchema), required=True,
                          metadata={"description": "办理地点和时间: the windows that accept it"})


COMPONENT_SCHEMAS = (NamedCodeSchema, PublicMatterSchema, PublicMaterialSchema, PublicFaqSchema, PublicWindowSchema,
                     PublicGuideSchema)
