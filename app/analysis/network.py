"""The systems leadership network of an area: the published innovations happening there,
the people and groups who got them going, the assets they involve, and the public links
those people and groups have with other assets; and the people of scanning days who agreed
to be named, with what they added there. Each node has its degree and betweenness
(networkx), so the connectors stand out. Built from what the public may see: a person
without consent is counted, never named. One session's part is the same, of what that
session added and the innovations its people named themselves in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain import innovations
from app.domain.asset_fields import public_asset
from app.domain.innovation_reads import described
from app.domain.links import public_link
from app.domain.visibility import ASSET
from app.models import (
    Area,
    InnovationAsset,
    InnovationParticipant,
    SessionAddition,
    SessionParticipant,
)

METHOD = (
    "nodes: the published innovations happening inside the area, the people and groups who "
    "got them going (got_going), the assets they involve (involves), and the assets linked "
    "to those people and groups by a public link (its type), and the people of scanning "
    "days with what they added there (added); people only with consent. One session's part: "
    "the innovations it added or its people named themselves in, and what its people added. "
    "degree: how many others a node is directly connected to; betweenness: the "
    "share of shortest paths between two other nodes that pass through it (networkx "
    "betweenness_centrality, normalised, the links taken both ways)"
)


@dataclass(frozen=True)
class Network:
    """Nodes (`asset:12`, `innovation:3`) with their measures, and the edges between them."""

    within: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    people_not_shown: int
    session: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "within": self.within,
            "session": self.session,
            "nodes": self.nodes,
            "edges": self.edges,
            "people_not_shown": self.people_not_shown,
            "method": METHOD,
        }


def leaders_network(session: Session, within: str, session_id: int | None = None) -> Network:
    """The network inside area `within` (a 422 naming `within` for an unknown code), or
    only session `session_id`'s part of it."""
    wanted = innovations.ids(session, None, innovations.InnovationFilter(within=within))
    if session_id is not None:
        wanted = [found for found in wanted if found in _session_innovations(session, session_id)]
    found = described(session, None, wanted)
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []

    def asset_node(asset: dict[str, Any]) -> str:
        key = f"asset:{asset['id']}"
        nodes.setdefault(
            key, {"id": key, "type": "asset", "label": asset["name"], "asset_kind": asset["kind"]}
        )
        return key

    def participant_node(participant: dict[str, Any]) -> str:
        key = f"participant:{participant['id']}"
        nodes.setdefault(
            key, {"id": key, "type": "participant", "label": participant["display_name"]}
        )
        return key

    leaders: set[int] = set()
    for innovation in found:
        key = f"innovation:{innovation['id']}"
        nodes[key] = {
            "id": key,
            "type": "innovation",
            "label": innovation["name"],
            "status": innovation["status"],
        }
        for leader in innovation["leaders"]:
            if "participant" in leader:
                source = participant_node(leader["participant"])
            else:
                leaders.add(leader["asset"]["id"])
                source = asset_node(leader["asset"])
            edges.append({"source": source, "target": key, "type": "got_going"})
        for asset in innovation["assets"]:
            edges.append({"source": key, "target": asset_node(asset), "type": "involves"})
    edges += _links(session, leaders, asset_node)
    added, unnamed = _added(session, within, session_id, wanted)
    for row in added:
        source = participant_node({"id": row.participant_id, "display_name": row.display_name})
        if row.innovation_id is not None:
            target = f"innovation:{row.innovation_id}"
        else:
            target = asset_node({"id": row.asset_id, "name": row.name, "kind": row.kind})
        edges.append({"source": source, "target": target, "type": "added"})
    _measure(nodes, edges)
    hidden = _people_not_shown(session, wanted) + len(unnamed | _unnamed_leaders(session, wanted))
    return Network(within, list(nodes.values()), edges, hidden, session_id)


def _session_innovations(session: Session, session_id: int) -> set[int]:
    """The innovations session `session_id` added, or its people named themselves in."""
    added = select(SessionAddition.innovation_id).where(
        SessionAddition.session_id == session_id, SessionAddition.innovation_id.is_not(None)
    )
    named = (
        select(InnovationParticipant.innovation_id)
        .join(SessionParticipant, SessionParticipant.id == InnovationParticipant.participant_id)
        .where(SessionParticipant.session_id == session_id)
    )
    return set(session.scalars(added.union(named)))


def _added(
    session: Session, within: str, session_id: int | None, innovation_ids: list[int]
) -> tuple[list[Any], set[int]]:
    """What people of scanning days added that is in the network (the innovations in it,
    the public assets inside the area), by those who agreed to be named; and the ids of
    those who did not, to count."""
    inside = select(Area.geom).where(Area.code == within).scalar_subquery()
    query = (
        select(
            SessionAddition.participant_id,
            SessionParticipant.display_name,
            SessionParticipant.consent_to_network,
            SessionAddition.innovation_id,
            SessionAddition.asset_id,
            public_asset.c.name,
            public_asset.c.kind,
        )
        .join(SessionParticipant, SessionParticipant.id == SessionAddition.participant_id)
        .outerjoin(public_asset, public_asset.c.id == SessionAddition.asset_id)
        .where(
            or_(
                SessionAddition.innovation_id.in_(innovation_ids),
                (public_asset.c.status == "published")
                & func.ST_Covers(inside, public_asset.c.geom),
            )
        )
        .order_by(SessionAddition.id)
    )
    if session_id is not None:
        query = query.where(SessionAddition.session_id == session_id)
    rows = session.execute(query).all()
    named = [row for row in rows if row.consent_to_network]
    return named, {row.participant_id for row in rows if not row.consent_to_network}


def _unnamed_leaders(session: Session, innovation_ids: list[int]) -> set[int]:
    """The people of scanning days who named themselves among those who got one of the
    innovations going, without agreeing to be named."""
    return set(
        session.scalars(
            select(SessionParticipant.id)
            .join(
                InnovationParticipant,
                InnovationParticipant.participant_id == SessionParticipant.id,
            )
            .where(
                InnovationParticipant.innovation_id.in_(innovation_ids),
                SessionParticipant.consent_to_network.is_(False),
            )
        )
    )


def _links(session: Session, leaders: set[int], asset_node: Any) -> list[dict[str, Any]]:
    """The public links of the leaders, with their other ends as nodes."""
    if not leaders:
        return []
    start, end = public_asset.alias("link_from"), public_asset.alias("link_to")
    rows = session.execute(
        select(
            public_link.c.type,
            start.c.id.label("from_id"),
            start.c.name.label("from_name"),
            start.c.kind.label("from_kind"),
            end.c.id.label("to_id"),
            end.c.name.label("to_name"),
            end.c.kind.label("to_kind"),
        )
        .join(start, start.c.id == public_link.c.from_id)
        .join(end, end.c.id == public_link.c.to_id)
        .where(or_(public_link.c.from_id.in_(leaders), public_link.c.to_id.in_(leaders)))
        .order_by(public_link.c.id)
    ).all()
    return [
        {
            "source": asset_node({"id": row.from_id, "name": row.from_name, "kind": row.from_kind}),
            "target": asset_node({"id": row.to_id, "name": row.to_name, "kind": row.to_kind}),
            "type": row.type,
        }
        for row in rows
    ]


def graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> nx.Graph:
    """The network as an undirected graph, each pair of nodes joined once: what the
    measures are taken on."""
    made = nx.Graph()
    made.add_nodes_from(node["id"] for node in nodes)
    made.add_edges_from((edge["source"], edge["target"]) for edge in edges)
    return made


def _measure(nodes: dict[str, dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    made = graph(list(nodes.values()), edges)
    betweenness = nx.betweenness_centrality(made, normalized=True)
    for key, node in nodes.items():
        node["degree"] = int(made.degree(key))
        node["betweenness"] = round(float(betweenness[key]), 6)


def _people_not_shown(session: Session, innovation_ids: list[int]) -> int:
    """How many people the innovations name (as leaders or involved) who are not in the
    public face: counted, not named."""
    if not innovation_ids:
        return 0
    return int(
        session.scalar(
            select(func.count(func.distinct(ASSET.c.id)))
            .select_from(InnovationAsset)
            .join(ASSET, ASSET.c.id == InnovationAsset.asset_id)
            .outerjoin(public_asset, public_asset.c.id == ASSET.c.id)
            .where(
                InnovationAsset.innovation_id.in_(innovation_ids),
                ASSET.c.kind == "individual",
                or_(public_asset.c.id.is_(None), public_asset.c.status != "published"),
            )
        )
        or 0
    )


def graphml(network: Network) -> bytes:
    """The network as GraphML (for Gephi and the like): a directed multigraph with each
    node's type, label, kind or status, degree and betweenness, and each edge's type."""
    made = nx.MultiDiGraph(within=network.within)
    for node in network.nodes:
        made.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for edge in network.edges:
        made.add_edge(edge["source"], edge["target"], type=edge["type"])
    out = io.BytesIO()
    nx.write_graphml(made, out)
    return out.getvalue()
